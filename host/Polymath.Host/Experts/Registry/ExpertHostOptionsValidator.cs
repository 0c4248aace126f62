using Microsoft.Extensions.Options;
using Polymath.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Validates <see cref="ExpertHostOptions"/> at start (registered by <c>AddExperts</c> with <c>ValidateOnStart</c>, and run
/// by <see cref="ExpertHostBuilder.Build"/>). Every failure names its configuration key.
/// </summary>
public sealed class ExpertHostOptionsValidator : IValidateOptions<ExpertHostOptions>
{
    private const int MaxIdleInstances = 1024;
    private const int MaxTimeoutMs = 3_600_000;
    private const int MaxResultBytes = 256 << 20;
    private const int MaxCallDepth = 1_000_000;

    /// <summary>The shared instance.</summary>
    public static ExpertHostOptionsValidator Instance { get; } = new();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ExpertHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = ExpertHostOptions.SectionName;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Directory)) failures.Add($"{s}:Directory must not be empty");
        if (options.Platform is not null)
        {
            try { _ = PlatformInfo.FromRuntimeIdentifier(options.Platform); }
            catch (ArgumentException e) { failures.Add($"{s}:Platform: {e.Message}"); }
        }
        foreach (var (key, names) in options.Grants)
            if (!WasiGrantNames.TryParse(names, out _, out var unknown))
                failures.Add($"{s}:Grants:{key}: '{unknown}' is not a WASI facility (wasi.stdio, wasi.clock, wasi.random)");
        if (options.DebounceMs is < 0 or > 60_000) failures.Add($"{s}:DebounceMs must be 0..60000 (ms)");
        if (options.DirectoryCheckMs is < 10 or > 60_000) failures.Add($"{s}:DirectoryCheckMs must be 10..60000 (ms)");
        if (options.MaxIdleInstancesPerExpert is < 0 or > MaxIdleInstances) failures.Add($"{s}:MaxIdleInstancesPerExpert must be 0..{MaxIdleInstances}");
        // Native kernels (NativeKernelBinding): "*" or expert ids.
        for (int i = 0; i < (options.NativeKernels?.Count ?? 0); i++)
            if (options.NativeKernels![i] is not { } k || (k != "*" && !ExpertManifest.IsValidId(k)))
                failures.Add($"{s}:NativeKernels:{i}: '{options.NativeKernels[i]}' is not an expert id or '*'");
        var limits = options.Limits;
        if (limits is null) failures.Add($"{s}:Limits must not be null");
        else
        {
            // Ceilings for every expert: each range keeps one call of one expert within what a host can afford.
            if (limits.MemoryPages is 0 or > 65536) failures.Add($"{s}:Limits:MemoryPages must be 1..65536");
            if (limits.FuelPerCall is 0) failures.Add($"{s}:Limits:FuelPerCall must be at least 1 (leave it unset for unmetered)");
            if (limits.TimeoutMs is <= 0 or > MaxTimeoutMs) failures.Add($"{s}:Limits:TimeoutMs must be 1..{MaxTimeoutMs} (ms)");
            if (limits.MaxResultBytes is <= 1 or > MaxResultBytes) failures.Add($"{s}:Limits:MaxResultBytes must be 2..{MaxResultBytes}");
            if (limits.MaxCallDepth is <= 0 or > MaxCallDepth) failures.Add($"{s}:Limits:MaxCallDepth must be 1..{MaxCallDepth}");
            if (limits.MaxArgsBytes is <= 1 or > ExpertLimitDefaults.MaxArgsBytesCeiling) failures.Add($"{s}:Limits:MaxArgsBytes must be 2..{ExpertLimitDefaults.MaxArgsBytesCeiling}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every failure.</summary>
    public static void ThrowIfInvalid(ExpertHostOptions options)
    {
        var result = Instance.Validate(Options.DefaultName, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(ExpertHostOptions), result.Failures);
    }
}
