using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Polymath.Host;
using Polymath.Host.Experts;
using Polymath.Service;

namespace Polymath.Cli;

/// <summary>
/// The composition root of every <c>polymath</c> command: one configuration, built the same way for <c>probe</c>,
/// <c>run</c>, <c>call</c>, <c>serve</c>, <c>mcp</c>…, from these layers, lowest precedence first:
/// <list type="number">
/// <item>the options classes' defaults;</item>
/// <item><c>appsettings.json</c> beside the <c>polymath</c> binary, then in the current directory;</item>
/// <item><c>--config FILE</c> (serve);</item>
/// <item>the environment: the older single variables (<see cref="PolymathHostOptions.LegacyEnvironmentVariables"/>)
/// mapped to their keys, then <c>POLYMATH_Section__Key</c> variables;</item>
/// <item>the command line: each option that names a setting (<c>--platform</c> is <c>Polymath:Platform</c>, <c>--dir</c>
/// is <c>Experts:Directory</c>…) and serve's <c>--Section:Key=value</c> pairs.</item>
/// </list>
/// Every key of a registered section (<see cref="Schema"/>) is checked before anything runs. The sections are bound
/// by the hosts' own <c>Add*</c> methods (<c>AddPolymath</c>: <c>Polymath</c>; <c>AddExperts</c>: <c>Experts</c>;
/// <c>AddPolymathService</c>: <c>Service</c>).
/// <para>
/// Extension point: a component with its own section (say <c>Cluster</c>) registers it in <see cref="Schema"/>
/// (<c>.Add("Cluster", typeof(ClusterOptions))</c>), binds it in its own <c>Add*</c> method, and maps any command-line
/// option to its key in the <c>commandLine</c> dictionary the command passes to <see cref="Build"/>.
/// </para>
/// </summary>
internal static class CliComposition
{
    /// <summary>The settings file name looked for beside the binary and in the current directory.</summary>
    public const string FileName = "appsettings.json";

    /// <summary>The environment variable prefix.</summary>
    public const string EnvironmentPrefix = "POLYMATH_";

    /// <summary>The sections whose keys are checked, with the options class each binds to.</summary>
    public static readonly ConfigurationSchema Schema = new ConfigurationSchema()
        .Add(PolymathHostOptions.SectionName, typeof(PolymathHostOptions), nameof(PolymathHostOptions.PlatformSource), nameof(PolymathHostOptions.DynamicCodeSource))
        .Add(ExpertHostOptions.SectionName, typeof(ExpertHostOptions))
        .Add(ServiceOptions.SectionName, typeof(ServiceOptions))
        .Add(Polymath.Cluster.PolymathClusterOptions.SectionName, typeof(Polymath.Cluster.PolymathClusterOptions))
        .Add(OtlpExport.SectionName, "Endpoint", "Protocol", "MetricIntervalMs", "ServiceName");

    /// <summary>
    /// Builds and checks the configuration. <paramref name="commandLine"/> holds the settings the command line names
    /// (key → value); <paramref name="configFile"/> is serve's <c>--config</c>.
    /// </summary>
    /// <exception cref="CliUsageException">A settings file is missing (<c>--config</c>) or not valid JSON, or a key is unknown.</exception>
    public static CliSettings Build(IReadOnlyDictionary<string, string?>? commandLine = null, string? configFile = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var builder = new ConfigurationBuilder();
        var labels = new List<Func<string, string>>();
        string besideBinary = Path.Combine(AppContext.BaseDirectory, FileName);
        AddFile(builder, labels, besideBinary, optional: true);
        string local = Path.GetFullPath(FileName);
        if (!string.Equals(local, besideBinary, StringComparison.Ordinal)) AddFile(builder, labels, local, optional: true);
        if (configFile is not null) AddFile(builder, labels, Path.GetFullPath(configFile), optional: false);

        var legacy = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var legacyNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in PolymathHostOptions.LegacyEnvironmentVariables)
            if (environment(variable) is { } value && !string.IsNullOrWhiteSpace(value)) (legacy[key], legacyNames[key]) = (LegacyValue(key, value), variable);
        builder.Add(new MemoryConfigurationSource { InitialData = legacy });
        labels.Add(key => legacyNames.TryGetValue(key, out var v) ? $"the environment variable {v}" : "the environment");
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        labels.Add(key => $"the environment variable {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)}");
        builder.Add(new MemoryConfigurationSource { InitialData = commandLine ?? new Dictionary<string, string?>() });
        labels.Add(key => $"the command line ({CommandLineName(key)})");

        IConfigurationRoot root;
        try { root = builder.Build(); }
        catch (InvalidDataException e) { throw new CliUsageException($"cannot read {FileName}: {HumanText.Sanitize(e.Message)}"); }
        catch (FormatException e) { throw new CliUsageException($"cannot read {FileName}: {HumanText.Sanitize(e.Message)}"); }
        var settings = new CliSettings(root, labels);
        Schema.Check(root, settings.SourceOf);
        return settings;
    }

    // POLYMATH_NO_DYNAMIC_CODE took 1/0, yes/no and on/off as well as true/false; the binder takes only the last two.
    private static string LegacyValue(string key, string value) =>
        !key.EndsWith(":NoDynamicCode", StringComparison.Ordinal) ? value : value.Trim().ToLowerInvariant() switch
        {
            "1" or "yes" or "on" => "true",
            "0" or "no" or "off" => "false",
            _ => value,
        };

    private static void AddFile(ConfigurationBuilder builder, List<Func<string, string>> labels, string path, bool optional)
    {
        // A FIFO in place of a settings file would block the reader's open forever.
        CliInput.EnsureRegularFile(path, "the settings file");
        if (!optional && !File.Exists(path)) throw new CliUsageException($"configuration file '{HumanText.Sanitize(path)}' does not exist");
        builder.AddJsonFile(path, optional, reloadOnChange: false);
        labels.Add(_ => path);
    }

    /// <summary>The options that set a configuration key, for messages.</summary>
    public static readonly IReadOnlyDictionary<string, string> Options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Polymath:PluginsFile"] = "--plugins",
        ["Polymath:Platform"] = "--platform",
        ["Polymath:NoDynamicCode"] = "--no-dynamic-code",
        ["Experts:Directory"] = "--dir",
        ["Service:SocketPath"] = "--socket",
        ["Service:TcpPort"] = "--tcp",
        ["OpenTelemetry:Endpoint"] = "--otlp",
    };

    internal static string CommandLineName(string key) => Options.TryGetValue(key, out var option) ? option : $"--{key}";

    /// <summary>The command-line dictionary of the global options.</summary>
    public static Dictionary<string, string?> GlobalOptions(string? plugins, string? platform, bool noDynamicCode)
    {
        var d = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (plugins is not null) d["Polymath:PluginsFile"] = plugins;
        if (platform is not null) d["Polymath:Platform"] = platform;
        if (noDynamicCode) d["Polymath:NoDynamicCode"] = "true";
        return d;
    }
}

/// <summary>A built configuration and where each key came from.</summary>
internal sealed class CliSettings(IConfigurationRoot configuration, IReadOnlyList<Func<string, string>> labels)
{
    /// <summary>The configuration.</summary>
    public IConfigurationRoot Configuration { get; } = configuration;

    /// <summary>Names the layer that set <paramref name="key"/> (the highest one), e.g. a file path or an environment variable.</summary>
    public string SourceOf(string key)
    {
        for (int i = Configuration.Providers.Count() - 1; i >= 0; i--)
            if (Configuration.Providers.ElementAt(i).TryGet(key, out _)) return labels[i](key);
        return "the defaults";
    }

    /// <summary>The label of <paramref name="key"/> (<c>Polymath:Platform</c>) for platform errors: the option, the variable, or the file and key.</summary>
    public string PlatformSource(string key = "Polymath:Platform")
    {
        string source = SourceOf(key);
        return source.StartsWith("the command line", StringComparison.Ordinal) ? CliComposition.CommandLineName(key)
            : source.StartsWith("the environment variable ", StringComparison.Ordinal) ? source["the environment variable ".Length..]
            : $"{source}: {key}";
    }

    /// <summary>The engine's options: the <c>Polymath</c> section bound, with <see cref="PolymathHostOptions.PlatformSource"/> set.</summary>
    public PolymathHostOptions HostOptions()
    {
        var options = new PolymathHostOptions();
        try { Configuration.GetSection(PolymathHostOptions.SectionName).Bind(options); }
        catch (InvalidOperationException e) { throw new CliUsageException(HumanText.Sanitize(e.Message)); }
        options.PlatformSource = PlatformSource();
        options.DynamicCodeSource = PlatformSource("Polymath:NoDynamicCode");
        return options;
    }
}
