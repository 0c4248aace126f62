using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Logging;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Host.Experts;

/// <summary>
/// Turns one package into a loaded expert, each step once: read + validate the module → choose the runtime
/// (<see cref="ExpertBinder.ChooseRuntime"/>) → compile on it → read <c>larql_metadata</c> from that compiled module →
/// apply the operator's grants for the expert's id (<see cref="ExpertBinder.ApplyGrants"/>). The compiled module is kept
/// and serves every call. Each step logs one debug event (<see cref="Log"/> 200–204).
/// </summary>
internal sealed class ExpertLoader(ExpertHostOptions options, IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform,
    RuntimeEngines engines, IWasiOutputSink output, ILogger logger)
{
    public (LoadedExpert? Expert, LoadFailure? Failure) Load(ExpertPackage package)
    {
        string source = package.Source;
        var manifest = package.Manifest;
        string fallbackId = manifest?.Id ?? Path.GetFileNameWithoutExtension(source);
        LoadFailure Fail(string reason, string? fix = null) => new(source, fallbackId, reason, fix);

        // 1. Read and validate, once. The definition decides the ABI, imports and the features the runtime must support.
        Module definition;
        try { definition = ModuleReader.ReadAndValidate(package.Wasm); }
        catch (WasmModuleException e) { return (null, Fail(e.Message, "rebuild the module")); } // e.Message already says "malformed module: …" / "invalid module: …"
        Log.ModuleValidated(logger, source, definition.Functions.Count, definition.Imports.Count);
        var abiProblems = ExpertInstance.CheckExports(definition);
        if (abiProblems.Count > 0) return (null, Fail($"not a larql expert: {string.Join("; ", abiProblems)}", "export memory, larql_alloc, larql_dealloc, larql_call and larql_metadata"));
        var nonWasi = definition.Imports.FirstOrDefault(i => i.Module != WasiPreview1.ModuleName || i.Kind != ExternKind.Function);
        if (nonWasi is not null) return (null, Fail($"imports '{nonWasi.Module}.{nonWasi.Name}'; experts may import only {WasiPreview1.ModuleName} functions"));

        var limits = EffectiveLimits.Combine(manifest?.Limits, options.Limits);
        var asked = WasiGrants.None;
        if (manifest is not null) WasiGrantNames.TryParse(manifest.Grants, out asked, out _);
        var request = new BindingRequest(fallbackId, manifest?.Requires ?? [], manifest?.Prefers ?? [],
            Capabilities.ForFeatures(definition.Features), asked, WasiGrants.None, limits);

        // 2. Choose the runtime, once: capabilities, preferences, priority, order (grants come in step 5).
        var binding = ExpertBinder.ChooseRuntime(request, runtimes, platform);
        Log.RuntimeChosen(logger, source, binding.RuntimeId ?? "none", binding.Reason);

        // 3. Compile, once: on the chosen runtime, or — to list the ops of an expert that cannot run here — on the first
        // available runtime.
        var target = binding.Runtime ?? runtimes.FirstOrDefault(r => r.IsAvailable);
        IWasmEngine? engine = null;
        IWasmModule? compiled = null;
        string? metadataError = null;
        if (target is not null)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                engine = engines.Get(target);
                compiled = engine.Compile(definition, package.Wasm); // the module read and validated in step 1: not read again
                Log.ModuleCompiled(logger, source, target.Id, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (Exception e) when (e is WasmModuleException or RuntimeNotAvailableException)
            {
                if (target == binding.Runtime)
                    return (null, Fail($"{target.Id} cannot compile it: {e.Message}", "use a runtime that supports the module's features"));
                metadataError = $"reading metadata on {target.Id} failed: {e.Message}";
            }
        }

        // 4. Read the metadata from the compiled module. Nothing is granted to this instance; when the operator grants
        // nothing either, it is the pool's first instance.
        var storeLimits = new StoreLimits { MaxMemoryPages = limits.MemoryPages, MaxCallDepth = limits.MaxCallDepth };
        ExpertMetadata? metadata = null;
        ExpertInstance? first = null;
        if (compiled is not null)
        {
            try
            {
                using var cts = new CancellationTokenSource(limits.TimeoutMs);
                var callOptions = new CallOptions { Fuel = limits.FuelPerCall, CancellationToken = cts.Token };
                first = ExpertInstance.Create(engine!, compiled, storeLimits, WasiPreview1.CreateLinker(WasiOptions.Denied), callOptions);
                metadata = first.ReadMetadata(source, callOptions);
                Log.MetadataRead(logger, source, metadata.Id, metadata.Ops.Count);
            }
            catch (ExpertPackageException e) { first?.Dispose(); return (null, Fail(e.Message, "fix the module's larql_metadata")); }
            catch (Exception e) when (e is WasmTrapException or WasmLinkException or ExpertAbiException)
            {
                first?.Dispose();
                first = null;
                metadataError = $"reading metadata on {target!.Id} failed: {e.Message}";
                if (target == binding.Runtime) return (null, Fail(metadataError, "fix the module (larql_metadata must not trap) or raise its limits"));
            }
        }

        string id = manifest?.Id ?? metadata?.Id ?? fallbackId;
        if (manifest is not null && metadata is not null && metadata.Id != manifest.Id)
        {
            first?.Dispose();
            return (null, Fail($"expert.json says id '{manifest.Id}' but larql_metadata says '{metadata.Id}'", "make the ids equal"));
        }
        if (manifest is null && metadata is not null && !ExpertManifest.IsValidId(metadata.Id))
            Log.UnconventionalExpertId(logger, source, metadata.Id);
        if (manifest is not null && metadata is not null && (metadata.Tier != manifest.Tier || metadata.Version != manifest.Version))
            Log.ManifestDiffersFromMetadata(logger, id, manifest.Tier, manifest.Version, metadata.Tier, metadata.Version);

        // 5. The operator's grants for this id decide the WASI requirements.
        var grants = options.GrantsFor(id);
        binding = ExpertBinder.ApplyGrants(binding, request with { ExpertId = id, OperatorGrants = grants });
        Log.GrantsApplied(logger, id, binding.Status.ToString().ToLowerInvariant(), binding.Reason);

        if (metadata is null && binding.Status != ExpertStatus.Unavailable)
            return (null, Fail(metadataError ?? "could not read larql_metadata"));
        if (metadata is null && metadataError is not null)
            binding = binding with { Reason = $"{binding.Reason}; its ops are unknown ({metadataError})" };

        // Native kernels (NativeKernelBinding.cs): an operator-granted kernel for this platform takes over the binding; the
        // wasm module below stays loaded for the op table and as the fallback.
        var native = NativeKernelBinding.TryBind(id, package, metadata, ref binding, runtimes, platform, options, logger);

        ExpertInstancePool? pool = null;
        if (binding.Status != ExpertStatus.Unavailable)
        {
            var wasi = new WasiOptions { Grants = grants, Output = output };
            pool = new ExpertInstancePool(engine!, compiled!, storeLimits, wasi, options.MaxIdleInstancesPerExpert);
            if (first is not null && grants == WasiGrants.None) { pool.Return(first); first = null; }
        }
        first?.Dispose();
        return (new LoadedExpert(id, package, metadata, binding, limits, grants, pool) { Native = native }, null);
    }
}
