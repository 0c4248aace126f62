using System.Collections.Concurrent;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// Hosts over the catalogue, one per runtime plugin. Adding a runtime plugin to the conformance run is one more line in
/// tests/Shared/RuntimePlugins.cs: every example and listing test is a theory over (runtime, case).
/// </summary>
public static class Runtimes
{
    private static readonly ConcurrentDictionary<(string Runtime, string? Platform), Lazy<ExpertHost>> Hosts = new();

    /// <summary>
    /// A started host over the repository's experts/ directory bound to one runtime only (shared across tests, like the
    /// CLI's one host per process). <paramref name="platform"/> is the <c>--platform</c> override (null = this machine).
    /// </summary>
    public static ExpertHost Host(string runtime, string? platform = null) =>
        Hosts.GetOrAdd((runtime, platform), key => new Lazy<ExpertHost>(() =>
        {
            var host = ExpertHost.CreateBuilder()
                .Configure(o => { o.Directory = Repository.ExpertsDirectory; o.Watch = false; o.Platform = key.Platform; })
                .AddRuntime(RuntimePlugins.All[key.Runtime]())
                .Build();
            host.StartAsync().GetAwaiter().GetResult();
            return host;
        })).Value;
}
