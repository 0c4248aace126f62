namespace Polymath.Service.Tests;

/// <summary>One service process shared by the tests of the "service" collection (Unix socket + TCP on a free port).</summary>
public sealed class SharedService : IAsyncLifetime
{
    internal ServiceProcess Service { get; private set; } = null!;
    internal string ExpertsDirectory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ExpertsDirectory = TestExperts.CreateDirectory();
        // --no-dynamic-code: the interpreter only, so that what these protocol tests expect (runtime "interpreter", the
        // exec.jit expert unavailable) does not depend on which JIT runtimes this machine has.
        Service = await ServiceProcess.StartAsync(ExpertsDirectory, "--no-dynamic-code", "--Service:TcpPort=0", "--Service:MaxInFlightPerConnection=64", "--Service:MaxConnections=200");
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        Directory.Delete(ExpertsDirectory, true);
    }
}

/// <summary>The service tests share one collection: they run one after another, so load tests do not distort each other.</summary>
[CollectionDefinition("service")]
public sealed class ServiceCollection : ICollectionFixture<SharedService>;
