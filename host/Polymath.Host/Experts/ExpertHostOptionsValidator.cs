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
        // Native kernels (NativeKernelBinding): "*" or expert ids.
        for (int i = 0; i < (options.NativeKernels?.Count ?? 0); i++)
            if (options.NativeKernels![i] is not { } k || (k != "*" && !ExpertManifest.IsValidId(k)))
                failures.Add($"{s}:NativeKernels:{i}: '{options.NativeKernels[i]}' is not an expert id or '*'");
        if (options.DebounceMs < 0) failures.Add($"{s}:DebounceMs must not be negative");
        if (options.MaxIdleInstancesPerExpert < 0) failures.Add($"{s}:MaxIdleInstancesPerExpert must not be negative");
        var limits = options.Limits;
        if (limits is null) failures.Add($"{s}:Limits must not be null");
        else
        {
            if (limits.MemoryPages is 0 or > 65536) failures.Add($"{s}:Limits:MemoryPages must be 1..65536");
            if (limits.TimeoutMs <= 0) failures.Add($"{s}:Limits:TimeoutMs must be positive");
            if (limits.MaxResultBytes <= 1) failures.Add($"{s}:Limits:MaxResultBytes must be at least 2");
            if (limits.MaxCallDepth <= 0) failures.Add($"{s}:Limits:MaxCallDepth must be positive");
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
