using BenchmarkDotNet.Running;

namespace Polymath.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher (e.g. <c>-- --filter '*'</c>, <c>--list flat</c>).</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected by the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
