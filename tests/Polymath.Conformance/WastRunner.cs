using System.Diagnostics;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Conformance;

/// <summary>Settings of a script run.</summary>
public sealed record WastRunnerOptions
{
    /// <summary>
    /// Limits of the one store each script runs in: 65,536 pages per memory (the 32-bit maximum), 1,000,000 table
    /// elements, the default call depth.
    /// </summary>
    public StoreLimits Limits { get; init; } = StoreLimits.Default with { MaxMemoryPages = MemoryType.MaxPages, MaxTableElements = 1_000_000 };

    /// <summary>Wall-clock budget of one command (passed to the runtime as a cancellation token): a hang becomes a failure.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether calls carry the <see cref="CommandTimeout"/> token (default). Without it calls have neither a token
    /// nor fuel, so a runtime may take its unmetered path (the interpreter runs code without fuel ops); such a run
    /// catches no hang, which the suite does not contain (assert_exhaustion is bounded by the call depth).
    /// </summary>
    public bool Cancellable { get; init; } = true;

    /// <summary>How many failure messages to keep per file.</summary>
    public int MaxFailures { get; init; } = 20;
}

/// <summary>
/// Runs the commands of one converted spec script against a runtime, through the Polymath.Sdk contracts only:
/// one store per script, the <c>spectest</c> module, registered modules as import sources, every command checked.
/// A runtime exception other than the documented ones (<see cref="WasmTrapException"/>, <see cref="WasmLinkException"/>,
/// <see cref="WasmModuleException"/>) fails the command and is shown; it never stops the script.
/// </summary>
public sealed class WastRunner
{
    private readonly IWasmEngine _engine;
    private readonly WastRunnerOptions _options;

    /// <summary>Creates a runner for <paramref name="engine"/>.</summary>
    public WastRunner(IWasmEngine engine, WastRunnerOptions? options = null)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _options = options ?? new WastRunnerOptions();
    }

    /// <summary>Runs <paramref name="script"/> and adds every command's outcome to <paramref name="result"/>.</summary>
    public void Run(WastScript script, SpecFileResult result)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(result);
        var clock = Stopwatch.StartNew();
        IWasmStore store;
        IReadOnlyDictionary<string, IWasmExtern> spectest;
        try
        {
            store = _engine.CreateStore(_options.Limits);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.FailSetup($"IWasmEngine.CreateStore threw {Describe(e)}");
            return;
        }
        using (store)
        {
            try
            {
                spectest = SpectestModule.Create(store);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result.FailSetup($"creating the spectest host module threw {Describe(e)}");
                return;
            }
            var state = new ScriptState(script, store, spectest);
            foreach (var command in script.Commands)
            {
                string? failure;
                try
                {
                    if (command.ParseError is not null)
                        failure = $"cannot read the command: {command.ParseError}";
                    else if (command.ModuleType == "text")
                    {
                        result.Skip(command, "text-format module (wast2json wrote .wat, this runner reads binary modules only)");
                        continue;
                    }
                    else
                        failure = Execute(state, command);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failure = $"unexpected exception {Describe(e)}";
                }
                if (failure is null) result.Pass(command);
                else result.Fail(command, failure);
            }
        }
        result.Elapsed = clock.Elapsed;
    }

    private sealed class ScriptState(WastScript script, IWasmStore store, IReadOnlyDictionary<string, IWasmExtern> spectest)
    {
        public WastScript Script { get; } = script;
        public IWasmStore Store { get; } = store;
        public HostReferences HostReferences { get; } = new();
        /// <summary>Import sources by (module, name): <c>spectest</c> and every registered instance.</summary>
        public WasmLinker Linker { get; } = new WasmLinker().DefineModule(SpectestModule.Name, spectest);
        public Dictionary<string, IWasmInstance?> Named { get; } = new(StringComparer.Ordinal);
        public IWasmInstance? Current { get; set; }
        public string? CurrentProblem { get; set; } = "no module has been defined yet";
    }

    private string? Execute(ScriptState state, WastCommand command)
    {
        switch (command.Kind)
        {
            case WastCommandKind.Module: return ExecuteModule(state, command);
            case WastCommandKind.Register: return ExecuteRegister(state, command);
            case WastCommandKind.Action:
            {
                var (results, error) = RunAction(state, command.Action!);
                if (error is not null) return error;
                _ = results;
                return null;
            }
            case WastCommandKind.AssertReturn: return ExecuteAssertReturn(state, command);
            case WastCommandKind.AssertTrap: return ExecuteAssertTrap(state, command, exhaustion: false);
            case WastCommandKind.AssertExhaustion: return ExecuteAssertTrap(state, command, exhaustion: true);
            case WastCommandKind.AssertInvalid: return ExecuteAssertRejected(state, command, WasmErrorKind.Invalid);
            case WastCommandKind.AssertMalformed: return ExecuteAssertRejected(state, command, WasmErrorKind.Malformed);
            case WastCommandKind.AssertUnlinkable: return ExecuteAssertUnlinkable(state, command);
            case WastCommandKind.AssertUninstantiable: return ExecuteAssertUninstantiable(state, command);
            default: return $"unknown command type '{command.TypeName}'";
        }
    }

    // ---- modules -------------------------------------------------------------------------------------------

    private string? ExecuteModule(ScriptState state, WastCommand command)
    {
        var (instance, error) = Instantiate(state, command);
        if (command.Name is not null) state.Named[command.Name] = instance;
        state.Current = instance;
        state.CurrentProblem = instance is null ? $"the module at line {command.Line} failed to instantiate" : null;
        return error;
    }

    private (IWasmInstance? Instance, string? Error) Instantiate(ScriptState state, WastCommand command)
    {
        var (module, compileError) = Compile(state, command);
        if (module is null) return (null, compileError);
        var (imports, missing) = ResolveImports(state, module.Definition);
        if (imports is null) return (null, missing);
        try
        {
            using var timeout = new CancellationTokenSource(_options.CommandTimeout);
            return (state.Store.Instantiate(module, imports, Options(timeout)), null);
        }
        catch (WasmLinkException e)
        {
            return (null, $"instantiation failed to link: {e.Message}");
        }
        catch (WasmTrapException e)
        {
            return (null, $"instantiation trapped: {DescribeTrap(e)}");
        }
    }

    private (IWasmModule? Module, string? Error) Compile(ScriptState state, WastCommand command)
    {
        var bytes = ReadModuleFile(state, command);
        try
        {
            return (_engine.Compile(bytes), null);
        }
        catch (WasmModuleException e)
        {
            return (null, $"compile failed: {e.Message}");
        }
    }

    private static byte[] ReadModuleFile(ScriptState state, WastCommand command)
    {
        var path = Path.Combine(state.Script.Directory, command.FileName!);
        return File.ReadAllBytes(path);
    }

    private static (IWasmExtern[]? Imports, string? Error) ResolveImports(ScriptState state, Module definition)
    {
        try
        {
            return (state.Linker.ResolveImports(state.Store, definition), null);
        }
        catch (WasmLinkException e)
        {
            return (null, e.Message);
        }
    }

    private static string? ExecuteRegister(ScriptState state, WastCommand command)
    {
        var (instance, error) = FindInstance(state, command.Name);
        if (instance is null) return error;
        state.Linker.DefineInstance(command.As!, instance);
        return null;
    }

    private static (IWasmInstance? Instance, string? Error) FindInstance(ScriptState state, string? name)
    {
        if (name is null)
            return state.Current is null ? (null, $"no current module ({state.CurrentProblem})") : (state.Current, null);
        if (!state.Named.TryGetValue(name, out var instance))
            return (null, $"no module named {name} in this script");
        return instance is null ? (null, $"module {name} failed to instantiate") : (instance, null);
    }

    // ---- actions --------------------------------------------------------------------------------------------

    /// <summary>Runs an action; a trap escapes as <see cref="WasmTrapException"/>, script problems come back as the error.</summary>
    private (WasmValue[]? Results, string? Error) RunAction(ScriptState state, WastAction action)
    {
        var (instance, error) = FindInstance(state, action.Module);
        if (instance is null) return (null, error);
        if (!instance.Exports.TryGetValue(action.Field, out var export))
            return (null, $"the module has no export \"{action.Field}\"");

        if (action.Kind == WastActionKind.Get)
        {
            if (export is not IWasmGlobal global) return (null, $"export \"{action.Field}\" is a {export.Kind}, not a global");
            return ([global.Value], null);
        }

        if (export is not IWasmFunction function) return (null, $"export \"{action.Field}\" is a {export.Kind}, not a function");
        var type = function.Type;
        if (type.Parameters.Length != action.Arguments.Count)
            return (null, $"\"{action.Field}\" has type {type} but the script passes {action.Arguments.Count} arguments");
        var arguments = new WasmValue[action.Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            var argument = action.Arguments[i];
            if (argument.Type != type.Parameters[i])
                return (null, $"\"{action.Field}\" has type {type} but argument {i} is {argument}");
            arguments[i] = argument.ToArgument(state.HostReferences);
        }
        var results = new WasmValue[type.Results.Length];
        using var timeout = new CancellationTokenSource(_options.CommandTimeout);
        function.Invoke(arguments, results, Options(timeout));
        return (results, null);
    }

    private (WasmValue[]? Results, string? Error) RunActionCatchingTrap(ScriptState state, WastAction action)
    {
        try
        {
            return RunAction(state, action);
        }
        catch (WasmTrapException e)
        {
            return (null, $"{action} trapped: {DescribeTrap(e)}");
        }
    }

    private string? ExecuteAssertReturn(ScriptState state, WastCommand command)
    {
        var (results, error) = RunActionCatchingTrap(state, command.Action!);
        if (results is null) return error;
        var expected = command.Expected;
        if (results.Length != expected.Count)
            return $"{command.Action} returned {results.Length} values [{DescribeAll(results)}], expected {expected.Count} [{string.Join(", ", expected)}]";
        for (int i = 0; i < results.Length; i++)
        {
            if (!expected[i].Matches(results[i]))
                return $"{command.Action} returned [{DescribeAll(results)}], expected [{string.Join(", ", expected)}] (result {i} differs)";
        }
        return null;
    }

    private string? ExecuteAssertTrap(ScriptState state, WastCommand command, bool exhaustion)
    {
        WasmValue[]? results;
        string? error;
        try
        {
            (results, error) = RunAction(state, command.Action!);
        }
        catch (WasmTrapException e)
        {
            if (exhaustion)
            {
                return e.Kind == TrapKind.CallStackExhausted
                    ? null
                    : $"{command.Action} trapped with {e.Kind} ({e.Message}), expected {TrapKind.CallStackExhausted} (\"{command.Text}\")";
            }
            return TrapExpectation.IsSatisfiedBy(command.Text, e.Kind)
                ? null
                : $"{command.Action} trapped with {e.Kind} ({e.Message}), expected \"{command.Text}\" ({TrapExpectation.KindOf(command.Text)?.ToString() ?? "any trap"})";
        }
        if (results is null) return error;
        return $"{command.Action} returned [{DescribeAll(results)}], expected a trap \"{command.Text}\"";
    }

    // ---- module assertions ---------------------------------------------------------------------------------

    private string? ExecuteAssertRejected(ScriptState state, WastCommand command, WasmErrorKind expectedKind)
    {
        var bytes = ReadModuleFile(state, command);
        var word = expectedKind == WasmErrorKind.Malformed ? "malformed" : "invalid";
        try
        {
            _engine.Compile(bytes);
        }
        catch (WasmModuleException e)
        {
            return e.Kind == expectedKind
                ? null
                : $"rejected as {(e.Kind == WasmErrorKind.Malformed ? "malformed" : "invalid")} ({e.Message}), expected {word} (\"{command.Text}\")";
        }
        return $"{command.FileName} compiled, expected it to be rejected as {word} (\"{command.Text}\")";
    }

    private string? ExecuteAssertUnlinkable(ScriptState state, WastCommand command)
    {
        var (module, compileError) = Compile(state, command);
        if (module is null) return compileError;
        var (imports, _) = ResolveImports(state, module.Definition);
        if (imports is null) return null; // an unknown import is unlinkable
        try
        {
            using var timeout = new CancellationTokenSource(_options.CommandTimeout);
            state.Store.Instantiate(module, imports, Options(timeout));
        }
        catch (WasmLinkException)
        {
            return null;
        }
        catch (WasmTrapException e)
        {
            return $"instantiation trapped ({DescribeTrap(e)}), expected a link error \"{command.Text}\"";
        }
        return $"{command.FileName} instantiated, expected a link error \"{command.Text}\"";
    }

    private string? ExecuteAssertUninstantiable(ScriptState state, WastCommand command)
    {
        var (module, compileError) = Compile(state, command);
        if (module is null) return compileError;
        var (imports, missing) = ResolveImports(state, module.Definition);
        if (imports is null) return missing;
        try
        {
            using var timeout = new CancellationTokenSource(_options.CommandTimeout);
            state.Store.Instantiate(module, imports, Options(timeout));
        }
        catch (WasmTrapException e)
        {
            return TrapExpectation.IsSatisfiedBy(command.Text, e.Kind)
                ? null
                : $"instantiation trapped with {e.Kind} ({e.Message}), expected \"{command.Text}\"";
        }
        catch (WasmLinkException e)
        {
            return $"instantiation failed to link ({e.Message}), expected a trap \"{command.Text}\"";
        }
        return $"{command.FileName} instantiated, expected a trap \"{command.Text}\"";
    }

    // ---- descriptions ---------------------------------------------------------------------------------------

    private static string DescribeAll(WasmValue[] values) => string.Join(", ", values.Select(v => WastValue.Describe(v)));

    private static string DescribeTrap(WasmTrapException e) =>
        e.InnerException is null ? $"{e.Kind} ({e.Message})" : $"{e.Kind} ({e.Message}; inner {Describe(e.InnerException)})";

    private CallOptions Options(CancellationTokenSource timeout) =>
        _options.Cancellable ? new CallOptions { CancellationToken = timeout.Token } : default;

    /// <summary>An exception's type, message and innermost stack frames, for failure messages.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var frames = (e.StackTrace ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Take(3);
        var where = string.Join(" | ", frames);
        return where.Length == 0 ? $"{e.GetType().FullName}: {e.Message}" : $"{e.GetType().FullName}: {e.Message} [{where}]";
    }
}
