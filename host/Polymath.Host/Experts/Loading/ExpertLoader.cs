using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Logging;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Host.Experts;

/// <summary>
/// Turns one package into a loaded expert, each step once: read + validate the module → choose the runtime
/// (<see cref="ExpertBinder.ChooseRuntime"/>) → compile → read <c>larql_metadata</c> from that compiled module → apply the
/// operator's grants for the expert's id (<see cref="ExpertBinder.ApplyGrants"/>). Each step logs one debug event
/// (<see cref="Log"/> 200–204).
/// <para>
/// Tier-up: when the chosen runtime is slow to start (tier jit, or tier compiler: its first calls pay the JIT) and its
/// compiled code is not in its code cache, the expert starts on the fastest-starting available runtime that meets its
/// requirements (the interpreter) and the chosen runtime compiles it in the background (<see cref="TierUpCompiler"/>;
/// the compiler tier also runs <see cref="TierUpWarmUp"/>), then <see cref="LoadedExpert.SwapExecution"/>.
/// Metadata cache: when <see cref="ExpertMetadataCache"/> knows the module (by sha256), nothing is read, validated or
/// compiled at load; the expert starts on its first call (<see cref="LoadedExpert.Activate"/>).
/// </para>
/// </summary>
internal sealed class ExpertLoader(ExpertHostOptions options, IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform,
    RuntimeEngines engines, TierUpCompiler tierUp, IWasiOutputSink output, ILogger logger)
{
    private readonly ExpertMetadataCache? _metadataCache =
        options.MetadataCacheDirectory is { Length: > 0 } d && !string.Equals(d, "off", StringComparison.OrdinalIgnoreCase)
            ? new ExpertMetadataCache(d, logger) : null;

    /// <summary>
    /// Loads <paramref name="package"/>: the expert, or why it cannot load. The steps, in order: <see cref="ReadCachedOrModule"/>
    /// (0–1), <see cref="ChooseRuntime"/> (2), <see cref="CompileAndReadMetadata"/> (3–4), <see cref="Complete"/> (5 and the
    /// expert's execution).
    /// </summary>
    public (LoadedExpert? Expert, LoadFailure? Failure) Load(ExpertPackage package)
    {
        var load = new LoadAttempt(package, options.Limits);
        if (ReadCachedOrModule(load) is { } invalid) return (null, invalid);
        ChooseRuntime(load);
        if (CompileAndReadMetadata(load) is { } failed) return (null, failed);
        return Complete(load);
    }

    /// <summary>What one <see cref="Load"/> has found so far; each step reads what the previous ones set.</summary>
    private sealed class LoadAttempt(ExpertPackage package, ExpertLimitDefaults hostLimits)
    {
        public ExpertPackage Package { get; } = package;
        public string Source => Package.Source;
        public ExpertManifest? Manifest => Package.Manifest;
        public string FallbackId { get; } = package.Manifest?.Id ?? Path.GetFileNameWithoutExtension(package.Source);
        public EffectiveLimits Limits { get; } = EffectiveLimits.Combine(package.Manifest?.Limits, hostLimits);
        public string? WasmSha256;
        public ExpertMetadataCacheEntry? Cached;
        public ExpertMetadata? Metadata;
        public Module? Definition;
        public IReadOnlyList<string> FeatureCapabilities = [];
        public BindingRequest Request = null!;
        public ExpertBinding Binding = null!;
        public RuntimeReport? Target;
        public StoreLimits StoreLimits = null!;
        public string? MetadataError;
        public RuntimeReport? StartedOn;
        public IWasmEngine? Engine;
        public IWasmModule? Compiled;
        public ExpertInstance? First;

        public LoadFailure Fail(string reason, string? fix = null) => new(Source, FallbackId, reason, fix);
    }

    /// <summary>
    /// Steps 0–1: the metadata cache (a module seen before needs no reading, validating or compiling now), else the module
    /// read and validated once; then the binding request. A failure when the module is not a usable expert.
    /// </summary>
    private LoadFailure? ReadCachedOrModule(LoadAttempt load)
    {
        // The manifest's hash was checked against the bytes by the package reader: no second hash when there is one.
        load.WasmSha256 = _metadataCache is null ? null
            : load.Manifest?.Wasm.Sha256 is { Length: 64 } checkedHash ? checkedHash : Convert.ToHexStringLower(SHA256.HashData(load.Package.Wasm));
        load.Cached = load.WasmSha256 is null ? null : _metadataCache!.TryRead(load.WasmSha256);
        if (load.Cached?.MetadataJson is { } cachedJson)
        {
            try { load.Metadata = ExpertMetadata.Parse(cachedJson, load.Source); }
            catch (ExpertPackageException) { load.Cached = null; } // the metadata rules changed since: read it from the module again
        }
        load.FeatureCapabilities = load.Cached?.Capabilities ?? [];
        if (load.Cached is null && ReadDefinition(load) is { } invalid) return invalid;

        var asked = WasiGrants.None;
        if (load.Manifest is not null) WasiGrantNames.TryParse(load.Manifest.Grants, out asked, out _);
        load.Request = new BindingRequest(load.FallbackId, load.Manifest?.Requires ?? [], load.Manifest?.Prefers ?? [],
            load.FeatureCapabilities, asked, WasiGrants.None, load.Limits);
        return null;
    }

    /// <summary>Step 1: read and validate, once. The definition decides the ABI, imports and the features the runtime must support.</summary>
    private LoadFailure? ReadDefinition(LoadAttempt load)
    {
        Module definition;
        try { definition = ModuleReader.ReadAndValidate(load.Package.Wasm); }
        catch (WasmModuleException e) { return load.Fail(e.Message, "rebuild the module"); } // e.Message already says "malformed module: …" / "invalid module: …"
        load.Definition = definition;
        Log.ModuleValidated(logger, load.Source, definition.Functions.Count, definition.Imports.Count);
        var abiProblems = ExpertInstance.CheckExports(definition);
        if (abiProblems.Count > 0) return load.Fail($"not a larql expert: {string.Join("; ", abiProblems)}", "export memory, larql_alloc, larql_dealloc, larql_call and larql_metadata");
        var nonWasi = definition.Imports.FirstOrDefault(i => i.Module != WasiPreview1.ModuleName || i.Kind != ExternKind.Function);
        if (nonWasi is not null) return load.Fail($"imports '{nonWasi.Module}.{nonWasi.Name}'; experts may import only {WasiPreview1.ModuleName} functions");
        load.FeatureCapabilities = Capabilities.ForFeatures(definition.Features);
        return null;
    }

    /// <summary>Step 2: choose the runtime, once: capabilities, preferences, priority, order (grants come in step 5).</summary>
    private void ChooseRuntime(LoadAttempt load)
    {
        load.Binding = ExpertBinder.ChooseRuntime(load.Request, runtimes, platform);
        Log.RuntimeChosen(logger, load.Source, load.Binding.RuntimeId ?? "none", load.Binding.Reason);
        // What compiles: the chosen runtime (or, for tier-up, the one it starts on), or — to list the ops of an expert
        // that cannot run here — the first available runtime.
        load.Target = load.Binding.Runtime ?? runtimes.FirstOrDefault(r => r.IsAvailable);
        load.StoreLimits = new StoreLimits { MaxMemoryPages = load.Limits.MemoryPages, MaxCallDepth = load.Limits.MaxCallDepth };
    }

    /// <summary>
    /// Steps 3–4: compile once and read the metadata from the compiled module — unless the cache says reading it failed
    /// before under the same runtime and limits. A failure when the chosen runtime cannot compile or read it.
    /// </summary>
    private LoadFailure? CompileAndReadMetadata(LoadAttempt load)
    {
        if (load.Cached?.Failure is { } cachedFailure)
        {
            // Reading the metadata failed before on this module under the same runtime and limits: not tried again.
            if (load.Target is not null && load.Cached.FailedUnder == ExpertMetadataCacheEntry.LimitsKey(load.Target.Id, load.Limits))
            {
                Log.MetadataFailureCached(logger, load.Source, cachedFailure);
                if (load.Target == load.Binding.Runtime) return load.Fail(cachedFailure, MetadataFix);
                load.MetadataError = cachedFailure;
            }
            else
            {
                load.Cached = null; // recorded under another runtime or other limits: try again (the entry is rewritten)
                if (ReadDefinition(load) is { } stillInvalid) return stillInvalid;
            }
        }
        if (load.Cached is null && load.Target is not null && CompileOnTarget(load) is { } refused) return refused;
        return load.Compiled is null ? null : ReadMetadataStep(load);
    }

    /// <summary>Step 3: compile on the target (or start on a faster runtime for tier-up; or fall back when the target refuses the module).</summary>
    private LoadFailure? CompileOnTarget(LoadAttempt load)
    {
        var target = load.Target!;
        try { (load.StartedOn, load.Engine, load.Compiled) = CompileForStart(target, load.Definition!, load.Package, load.Request, allowTierUp: target == load.Binding.Runtime); }
        catch (Exception e) when (e is WasmModuleException or RuntimeNotAvailableException)
        {
            if (target != load.Binding.Runtime) load.MetadataError = $"reading metadata on {target.Id} failed: {e.Message}";
            else if (CompileOnFallback(target, e, load.Definition!, load.Package, load.Request) is { } fallback)
            {
                // The chosen runtime refused the module (a frame or function beyond what its stack check or JIT can
                // bound, say): the next runtime the binder would choose runs it, and the listing says what was lost.
                (load.StartedOn, load.Engine, load.Compiled) = (fallback.Runtime, fallback.Engine, fallback.Module);
                string lost = $"{target.Id} cannot compile it ({e.Message}); running on {fallback.Binding.RuntimeId}";
                load.Binding = new ExpertBinding(ExpertStatus.Degraded, fallback.Binding.Runtime,
                    string.Join("; ", [lost, .. fallback.Binding.Lost]), [lost, .. fallback.Binding.Lost], null);
                load.Target = fallback.Binding.Runtime!;
            }
            else return load.Fail($"{target.Id} cannot compile it: {e.Message}", "use a runtime that supports the module's features");
        }
        return null;
    }

    /// <summary>
    /// Step 4: read the metadata from the compiled module. Nothing is granted to this instance; when the operator grants
    /// nothing either, it is the pool's first instance. If it fails on the runtime started on for tier-up, the chosen
    /// runtime gets its own try (it may be fast enough where the interpreter timed out).
    /// </summary>
    private LoadFailure? ReadMetadataStep(LoadAttempt load)
    {
        var limits = load.Limits;
        string? json;
        Exception? failure;
        (load.First, json, failure) = ReadMetadata(load.Engine!, load.Compiled!, limits, load.StoreLimits);
        if (failure is not null && load.StartedOn != load.Target)
        {
            Log.TierUpFailed(logger, load.FallbackId, load.StartedOn!.Id, $"larql_metadata failed there ({Describe(failure, limits)}); trying {load.Target!.Id}");
            try
            {
                load.Engine = engines.Get(load.Target);
                load.Compiled = Compile(load.Target, load.Engine, load.Definition!, load.Package);
                load.StartedOn = load.Target;
                (load.First, json, failure) = ReadMetadata(load.Engine, load.Compiled, limits, load.StoreLimits);
            }
            catch (Exception e) when (e is WasmModuleException or RuntimeNotAvailableException) { failure = e; }
        }
        if (failure is ExpertPackageException bad) return load.Fail(bad.Message, "fix the module's larql_metadata");
        if (failure is not null)
        {
            load.MetadataError = $"reading metadata on {load.StartedOn!.Id} failed: {Describe(failure, limits)}";
            if (failure is WasmTrapException or WasmLinkException or ExpertAbiException)
                _metadataCache?.Write(new ExpertMetadataCacheEntry(load.WasmSha256!, load.FeatureCapabilities, null, load.MetadataError,
                    ExpertMetadataCacheEntry.LimitsKey(load.StartedOn.Id, limits)));
            if (load.Target == load.Binding.Runtime) return load.Fail(load.MetadataError, MetadataFix);
            return null;
        }
        try { load.Metadata = ExpertMetadata.Parse(json!, load.Source); }
        catch (ExpertPackageException e) { load.First?.Dispose(); return load.Fail(e.Message, "fix the module's larql_metadata"); }
        Log.MetadataRead(logger, load.Source, load.Metadata.Id, load.Metadata.Ops.Count);
        _metadataCache?.Write(new ExpertMetadataCacheEntry(load.WasmSha256!, load.FeatureCapabilities, json, null, null, ExpertMetadataCacheEntry.CurrentValidator));
        return null;
    }

    /// <summary>
    /// Step 5 and the result: the id reconciled between manifest and metadata, the operator's grants applied, and the
    /// loaded expert with its execution (a pool on the compiled module, a first-call activation when the metadata came
    /// from the cache, none when unavailable), its tier-up scheduled or held back for the native-kernel decision.
    /// </summary>
    private (LoadedExpert? Expert, LoadFailure? Failure) Complete(LoadAttempt load)
    {
        var (manifest, metadata, first) = (load.Manifest, load.Metadata, load.First);
        string id = manifest?.Id ?? metadata?.Id ?? load.FallbackId;
        if (manifest is not null && metadata is not null && metadata.Id != manifest.Id)
        {
            first?.Dispose();
            return (null, load.Fail($"expert.json says id '{manifest.Id}' but larql_metadata says '{metadata.Id}'", "make the ids equal"));
        }
        if (manifest is null && metadata is not null && !ExpertManifest.IsValidId(metadata.Id))
            Log.UnconventionalExpertId(logger, load.Source, metadata.Id);
        if (manifest is not null && metadata is not null && (metadata.Tier != manifest.Tier || metadata.Version != manifest.Version))
            Log.ManifestDiffersFromMetadata(logger, id, manifest.Tier, manifest.Version, metadata.Tier, metadata.Version);

        // 5. The operator's grants for this id decide the WASI requirements.
        var grants = options.GrantsFor(id);
        var binding = ExpertBinder.ApplyGrants(load.Binding, load.Request with { ExpertId = id, OperatorGrants = grants });
        Log.GrantsApplied(logger, id, binding.Status.ToString().ToLowerInvariant(), binding.Reason);

        if (metadata is null && binding.Status != ExpertStatus.Unavailable)
        {
            first?.Dispose();
            return (null, load.Fail(load.MetadataError ?? "could not read larql_metadata"));
        }
        if (metadata is null && load.MetadataError is not null)
            binding = binding with { Reason = $"{binding.Reason}; its ops are unknown ({load.MetadataError})" };

        // Native kernels are decided later, by BindNative, once the registry knows this package won its id: a package that
        // loses the duplicate-id contest must never load its kernel (its constructors would run in the host).
        var package = load.Package;
        bool mayGoNative = NativeKernelBinding.MayBind(id, package, metadata, binding, runtimes, platform, options);

        var wasi = new WasiOptions { Grants = grants, Output = output };
        if (binding.Status == ExpertStatus.Unavailable)
        {
            first?.Dispose();
            return (new LoadedExpert(id, package, metadata, binding, load.Limits, grants, null), null);
        }

        // Metadata from the cache: the module is read, validated and compiled on the first call.
        if (load.Cached is { } cached)
        {
            var chosen = binding.Runtime!;
            bool validatedBefore = cached.ValidatedBy == ExpertMetadataCacheEntry.CurrentValidator;
            var (request, storeLimits) = (load.Request, load.StoreLimits);
            return (new LoadedExpert(id, package, metadata, binding, load.Limits, grants, null,
                expert => Activate(expert, chosen, package, request, storeLimits, wasi, validatedBefore)), null);
        }

        var (engine, compiled, startedOn) = (load.Engine!, load.Compiled!, load.StartedOn!);
        var pool = new ExpertInstancePool(engine, compiled, load.StoreLimits, wasi, options.MaxIdleInstancesPerExpert);
        if (first is not null && grants == WasiGrants.None) { pool.Return(first); first = null; }
        first?.Dispose();
        var loaded = new LoadedExpert(id, package, metadata, binding, load.Limits, grants, new ExpertExecution(startedOn, engine, compiled, pool));
        if (startedOn != binding.Runtime)
        {
            // An expert that may go native is not tiered up unless its kernel is not used (no call would run on the module).
            var (definition, storeLimits) = (load.Definition!, load.StoreLimits);
            var tierUp = (RuntimeReport from, RuntimeReport to) => ScheduleTierUp(loaded, from, to, definition, storeLimits, wasi);
            if (mayGoNative) _deferredTierUp.AddOrUpdate(loaded, () => tierUp(startedOn, binding.Runtime!));
            else tierUp(startedOn, binding.Runtime!);
        }
        return (loaded, null);
    }

    // Tier-ups held back until BindNative decides (weak: a loser that is released and dropped takes its entry with it).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<LoadedExpert, Action> _deferredTierUp = new();

    /// <summary>
    /// The native kernel decision for <paramref name="expert"/>, made by the registry only for the package that won its id
    /// (and before it is published): loads its kernel when granted and usable (<see cref="NativeKernelBinding.TryBind"/>),
    /// else records why not in its reason and starts a held-back tier-up. Never throws for what the kernel does: a failure
    /// is a reason, and the expert stays on WebAssembly.
    /// </summary>
    public void BindNative(LoadedExpert expert)
    {
        var binding = expert.Binding;
        NativeKernelBinding? native;
        try { native = NativeKernelBinding.TryBind(expert.Id, expert.Package, expert.Metadata, ref binding, runtimes, platform, options, logger); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            native = null;
            binding = binding with { Reason = $"{binding.Reason}; native kernel could not be loaded: {e.GetType().Name}: {e.Message}" };
            Log.NativeKernelNotUsed(logger, expert.Id, e.Message);
        }
        expert.DecideNative(native, binding);
        if (_deferredTierUp.TryGetValue(expert, out var tierUp))
        {
            _deferredTierUp.Remove(expert);
            if (native is null) tierUp();
        }
    }

    private const string MetadataFix = "fix the module (larql_metadata and _initialize must not trap) or raise its limits";

    /// <summary>
    /// The runtime an expert starts on and its module compiled there: the target itself when it is not slow to compile
    /// (tier jit), when tier-up is off or not allowed, when its code is in the target's code cache
    /// (<see cref="IWasmEngine.TryLoadCompiled"/>), or when no faster-starting runtime meets the requirements; otherwise
    /// the fastest-starting one (<see cref="FastStart"/>), and tier-up compiles it on the target in the background.
    /// </summary>
    private (RuntimeReport Runtime, IWasmEngine Engine, IWasmModule Module) CompileForStart(RuntimeReport target, Module definition,
        ExpertPackage package, BindingRequest request, bool allowTierUp)
    {
        var engine = engines.Get(target);
        if (allowTierUp && FastStart(target, request) is { } fast)
        {
            if (engine.TryLoadCompiled(definition, package.Wasm) is { } fromCache)
            {
                Log.StartedFromCodeCache(logger, request.ExpertId, target.Id);
                return (target, engine, fromCache);
            }
            try
            {
                var fastEngine = engines.Get(fast);
                return (fast, fastEngine, Compile(fast, fastEngine, definition, package));
            }
            catch (Exception e) when (e is WasmModuleException or RuntimeNotAvailableException)
            {
                Log.TierUpFailed(logger, request.ExpertId, fast.Id, $"cannot start there ({e.Message}); compiling on {target.Id} now");
            }
        }
        return (target, engine, Compile(target, engine, definition, package));
    }

    /// <summary>
    /// For a slow-to-start target (tier jit: Wasmtime compiles the whole module; tier compiler: the first call of each
    /// function generates its CIL and the .NET JIT compiles it) with tier-up on: the available interpreter-tier runtime
    /// that meets the requirements. None when the target is itself an interpreter (no dynamic code: nothing to wait for).
    /// </summary>
    private RuntimeReport? FastStart(RuntimeReport target, BindingRequest request)
    {
        if (!options.TierUp || target.Tier is not (RuntimeTier.Jit or RuntimeTier.Compiler)) return null;
        var requires = request.RuntimeRequires;
        return runtimes.FirstOrDefault(r => r != target && r.IsAvailable && r.Tier == RuntimeTier.Interpreter && requires.All(r.Has));
    }

    private IWasmModule Compile(RuntimeReport runtime, IWasmEngine engine, Module definition, ExpertPackage package)
    {
        long start = Stopwatch.GetTimestamp();
        var compiled = engine.Compile(definition, package.Wasm); // the module read and validated once: not read again
        Log.ModuleCompiled(logger, package.Source, runtime.Id, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return compiled;
    }

    /// <summary>Instantiates with nothing granted and reads <c>larql_metadata</c> under the expert's limits.</summary>
    private static (ExpertInstance? Instance, string? Json, Exception? Failure) ReadMetadata(IWasmEngine engine, IWasmModule compiled,
        EffectiveLimits limits, StoreLimits storeLimits)
    {
        ExpertInstance? instance = null;
        try
        {
            using var cts = new CancellationTokenSource(limits.TimeoutMs);
            var callOptions = new CallOptions { Fuel = limits.FuelPerCall, CancellationToken = cts.Token };
            instance = ExpertInstance.Create(engine, compiled, storeLimits, WasiPreview1.CreateLinker(WasiOptions.Denied), callOptions);
            return (instance, instance.ReadMetadataJson(callOptions), null);
        }
        catch (Exception e) when (e is WasmTrapException or WasmLinkException or ExpertAbiException or ExpertPackageException)
        {
            instance?.Dispose();
            return (null, null, e);
        }
    }

    /// <summary>A metadata failure in words; a limit says which and its value.</summary>
    private static string Describe(Exception e, EffectiveLimits limits) => e switch
    {
        WasmTrapException { Kind: TrapKind.Interrupted } => $"timeout of {limits.TimeoutMs} ms exceeded while reading larql_metadata",
        WasmTrapException { Kind: TrapKind.OutOfFuel } => $"fuel limit of {limits.FuelPerCall} exhausted while reading larql_metadata",
        WasmTrapException { Kind: TrapKind.CallStackExhausted } => $"call depth limit of {limits.MaxCallDepth} exhausted while reading larql_metadata",
        _ => e.Message,
    };

    /// <summary>
    /// First call of an expert whose metadata came from the cache: decode the module, then start as a load would. When the
    /// cache entry was written by this validator build (<paramref name="validatedBefore"/>) and the chosen runtime has the
    /// module's machine code in its code cache, nothing is validated or compiled: that exact module (same sha256) passed this
    /// validator before, and the code was compiled from it. Anything compiled now is validated first.
    /// </summary>
    private (ExpertExecution? Execution, string? Failure) Activate(LoadedExpert expert, RuntimeReport target, ExpertPackage package,
        BindingRequest request, StoreLimits storeLimits, WasiOptions wasi, bool validatedBefore)
    {
        Module definition;
        try
        {
            definition = ModuleReader.Read(package.Wasm);
            IWasmEngine engine = engines.Get(target);
            if (validatedBefore && engine.TryLoadCompiled(definition, package.Wasm) is { } fromCache)
            {
                Log.StartedFromCodeCache(logger, expert.Id, target.Id);
                return (new ExpertExecution(target, engine, fromCache,
                    new ExpertInstancePool(engine, fromCache, storeLimits, wasi, options.MaxIdleInstancesPerExpert)), null);
            }
            ModuleValidator.Validate(definition);
        }
        catch (WasmModuleException e) { return (null, e.Message); }
        catch (RuntimeNotAvailableException e) { return (null, $"{target.Id} cannot compile it: {e.Message}"); }
        Log.ModuleValidated(logger, package.Source, definition.Functions.Count, definition.Imports.Count);
        try
        {
            var (runtime, engine, compiled) = CompileForStart(target, definition, package, request with { ExpertId = expert.Id }, allowTierUp: true);
            var execution = new ExpertExecution(runtime, engine, compiled,
                new ExpertInstancePool(engine, compiled, storeLimits, wasi, options.MaxIdleInstancesPerExpert));
            if (runtime != target) ScheduleTierUp(expert, runtime, target, definition, storeLimits, wasi);
            return (execution, null);
        }
        catch (Exception e) when (e is WasmModuleException or RuntimeNotAvailableException)
        {
            if (CompileOnFallback(target, e, definition, package, request with { ExpertId = expert.Id }) is not { } fallback)
                return (null, $"{target.Id} cannot compile it: {e.Message}");
            Log.TierUpFailed(logger, expert.Id, fallback.Runtime.Id, $"{target.Id} cannot compile it ({e.Message})");
            return (new ExpertExecution(fallback.Runtime, fallback.Engine, fallback.Module,
                new ExpertInstancePool(fallback.Engine, fallback.Module, storeLimits, wasi, options.MaxIdleInstancesPerExpert)), null);
        }
    }

    /// <summary>
    /// When <paramref name="refused"/> refused to compile the module, the runtime the binder would choose without it, with
    /// the module compiled there (starting on the interpreter for tier-up as usual), or null when none can.
    /// </summary>
    private (ExpertBinding Binding, RuntimeReport Runtime, IWasmEngine Engine, IWasmModule Module)? CompileOnFallback(RuntimeReport refused,
        Exception why, Module definition, ExpertPackage package, BindingRequest request)
    {
        if (why is not WasmModuleException) return null; // a runtime that cannot start at all is not the module's doing
        var rest = runtimes.Where(r => r != refused).ToList();
        while (ExpertBinder.ChooseRuntime(request, rest, platform) is { Runtime: { } next } binding)
        {
            try
            {
                var (runtime, engine, module) = CompileForStart(next, definition, package, request, allowTierUp: true);
                Log.RuntimeChosen(logger, package.Source, next.Id, $"{refused.Id} cannot compile it ({why.Message})");
                return (binding, runtime, engine, module);
            }
            catch (Exception e) when (e is WasmModuleException or RuntimeNotAvailableException) { rest.Remove(next); }
        }
        return null;
    }

    /// <summary>
    /// Queues the compile on <paramref name="target"/>; when it is done (and one instance links and initializes there)
    /// the expert's execution is swapped. A failure keeps it on <paramref name="current"/> with the reason logged and listed.
    /// </summary>
    private void ScheduleTierUp(LoadedExpert expert, RuntimeReport current, RuntimeReport target, Module definition, StoreLimits storeLimits, WasiOptions wasi)
    {
        expert.PendingRuntimeId = target.Id;
        Log.TierUpScheduled(logger, expert.Id, current.Id, target.Id);
        void Failed(string reason)
        {
            expert.TierUpFailed(reason);
            Log.TierUpFailed(logger, expert.Id, current.Id, reason);
        }
        bool queued = tierUp.Schedule(expert.Id, token =>
        {
            if (expert.IsReleased) return; // replaced or unloaded before its turn
            long start = Stopwatch.GetTimestamp();
            IWasmEngine engine;
            IWasmModule compiled;
            try
            {
                engine = engines.Get(target);
                compiled = Compile(target, engine, definition, expert.Package);
            }
            catch (Exception e) when (e is WasmModuleException or RuntimeNotAvailableException)
            {
                Failed($"{target.Id} cannot compile it: {e.Message}");
                return;
            }
            if (token.IsCancellationRequested || expert.IsReleased) return;
            // One instance now: it proves the module links and initializes on the target, and the first call after the
            // swap finds it ready.
            var pool = new ExpertInstancePool(engine, compiled, storeLimits, wasi, options.MaxIdleInstancesPerExpert);
            try
            {
                using var cts = new CancellationTokenSource(expert.Limits.TimeoutMs);
                pool.Return(ExpertInstance.Create(engine, compiled, storeLimits, wasi,
                    new CallOptions { Fuel = expert.Limits.FuelPerCall, CancellationToken = cts.Token }));
            }
            catch (Exception e) when (e is WasmTrapException or WasmLinkException or ExpertAbiException)
            {
                pool.Clear();
                Failed($"{target.Id} cannot instantiate it: {e.Message}");
                return;
            }
            if (target.Tier == RuntimeTier.Compiler) TierUpWarmUp.Run(expert, target.Id, engine, compiled, storeLimits, logger, token); // lazy code: warm it now
            if (token.IsCancellationRequested || expert.IsReleased) { pool.Clear(); return; }
            if (expert.SwapExecution(new ExpertExecution(target, engine, compiled, pool)) is { } old)
                Log.TierUpSwapped(logger, expert.Id, old, target.Id, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        });
        if (!queued) expert.PendingRuntimeId = null;
    }
}
