namespace Polymath.Sdk;

/// <summary>What a host function sees of its caller.</summary>
public interface IHostCallContext
{
    /// <summary>The calling instance's exported memory called <paramref name="name"/>, if any (WASI uses "memory").</summary>
    IWasmMemory? GetMemory(string name = "memory");

    /// <summary>The cancellation token of the current call.</summary>
    CancellationToken CancellationToken { get; }
}
