using System.Collections.Concurrent;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// The runtime plugins the ABI, limit and hostile-expert tests run on (<see cref="RuntimePlugins"/>, tests/Shared): each such
/// test is a theory over these.
/// </summary>
public static class TestRuntimes
{
    private static readonly ConcurrentDictionary<string, IWasmEngine> Engines = new();

    /// <summary>Every runtime id, for [MemberData].</summary>
    public static TheoryData<string> Names() => new(RuntimePlugins.All.Keys);

    /// <summary>One shared engine per runtime.</summary>
    public static IWasmEngine Engine(string runtime) => Engines.GetOrAdd(runtime, r => RuntimePlugins.All[r]().CreateEngine(new EngineOptions()));
}
