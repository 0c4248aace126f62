using Xunit;

namespace Polymath.Mcp.Tests;

/// <summary>Tests that start polymath and node processes run one at a time (the machine may have 2 cores).</summary>
[CollectionDefinition("polymath processes", DisableParallelization = true)]
public sealed class ProcessCollection;
