using Microsoft.Extensions.Configuration;
using Polymath.Sdk;

namespace Polymath.Host.Platform;

/// <summary>
/// Decides which platform plugins are selected for. Each setting is taken from the first place that sets it:
/// the explicit value (the CLI's <c>--platform</c> / <c>--no-dynamic-code</c>, or <see cref="PolymathHostOptions"/>),
/// then the environment variables <c>POLYMATH_PLATFORM</c> / <c>POLYMATH_NO_DYNAMIC_CODE</c>, then the configuration
/// keys <c>Polymath:Platform</c> / <c>Polymath:NoDynamicCode</c>; otherwise the real process.
/// </summary>
public static class PlatformResolver
{
    /// <summary>Environment variable naming a runtime identifier to simulate.</summary>
    public const string PlatformVariable = "POLYMATH_PLATFORM";
    /// <summary>Environment variable switching dynamic code off (true/false/1/0/yes/no).</summary>
    public const string NoDynamicCodeVariable = "POLYMATH_NO_DYNAMIC_CODE";
    /// <summary>Configuration key naming a runtime identifier to simulate.</summary>
    public const string PlatformKey = "Polymath:Platform";
    /// <summary>Configuration key switching dynamic code off.</summary>
    public const string NoDynamicCodeKey = "Polymath:NoDynamicCode";
    /// <summary>The source name of the real process.</summary>
    public const string ProcessSource = "process";

    /// <summary>Resolves the platform.</summary>
    /// <param name="platform">Explicit runtime identifier (highest precedence), or null.</param>
    /// <param name="noDynamicCode">Explicit dynamic-code switch: true forces it off; null defers to the other sources.</param>
    /// <param name="configuration">Configuration to read <see cref="PlatformKey"/> and <see cref="NoDynamicCodeKey"/> from, if any.</param>
    /// <param name="environment">Environment lookup; defaults to <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <param name="explicitSource">How the explicit values are named in errors (e.g. <c>--platform</c>).</param>
    /// <param name="explicitDynamicCodeSource">How the explicit dynamic-code switch is named, when not after <paramref name="explicitSource"/>.</param>
    /// <exception cref="PlatformOverrideException">A source holds a value that is not a runtime identifier or boolean.</exception>
    public static PlatformSelection Resolve(
        string? platform = null,
        bool? noDynamicCode = null,
        IConfiguration? configuration = null,
        Func<string, string?>? environment = null,
        string explicitSource = "--platform",
        string? explicitDynamicCodeSource = null)
    {
        environment ??= Environment.GetEnvironmentVariable;

        string? rid = null, ridSource = null;
        if (!string.IsNullOrWhiteSpace(platform)) (rid, ridSource) = (platform, explicitSource);
        else if (environment(PlatformVariable) is { Length: > 0 } envRid && !string.IsNullOrWhiteSpace(envRid)) (rid, ridSource) = (envRid, PlatformVariable);
        else if (configuration?[PlatformKey] is { } cfgRid && !string.IsNullOrWhiteSpace(cfgRid)) (rid, ridSource) = (cfgRid, PlatformKey);

        bool? noDyn = null;
        string? noDynSource = null;
        if (noDynamicCode is { } explicitNoDyn) (noDyn, noDynSource) = (explicitNoDyn, explicitDynamicCodeSource ?? (explicitSource == "--platform" ? "--no-dynamic-code" : explicitSource));
        else if (environment(NoDynamicCodeVariable) is { } envNoDyn && !string.IsNullOrWhiteSpace(envNoDyn)) (noDyn, noDynSource) = (ParseBool(envNoDyn, NoDynamicCodeVariable), NoDynamicCodeVariable);
        else if (configuration?[NoDynamicCodeKey] is { } cfgNoDyn && !string.IsNullOrWhiteSpace(cfgNoDyn)) (noDyn, noDynSource) = (ParseBool(cfgNoDyn, NoDynamicCodeKey), NoDynamicCodeKey);

        PlatformInfo info;
        if (rid is null)
        {
            info = PlatformInfo.Current;
        }
        else
        {
            try
            {
                info = PlatformInfo.FromRuntimeIdentifier(rid);
            }
            catch (ArgumentException e)
            {
                throw new PlatformOverrideException(ridSource!, rid, "is not a runtime identifier of the form <os>-<arch> (e.g. linux-x64, linux-arm, linux-armv6, linux-x86, linux-arm64, osx-arm64, win-x64)", e);
            }
        }

        if (noDyn == true)
            info = info.WithoutDynamicCode();
        else if (noDyn == false)
            noDynSource = null; // "dynamic code on" is every platform's default where the OS allows it: nothing to record

        return new PlatformSelection(info, ridSource ?? ProcessSource, noDynSource);
    }

    private static bool ParseBool(string value, string source) => value.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => throw new PlatformOverrideException(source, value, "is not a boolean (use true/false, 1/0, yes/no or on/off)"),
    };
}
