using System.CommandLine;
using System.Globalization;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath run FILE.wasm [--invoke NAME] [ARGS...] [--runtime ID] [--fuel N] [--max-memory-pages N] [--timeout MS]</c>:
/// calls an export with arguments parsed per its parameter types and prints one result per line, like
/// <c>wasmtime run --invoke</c>; without <c>--invoke</c> runs a WASI command's <c>_start</c> (WASI preview 1 shim, every
/// facility granted, exit code from proc_exit). The limits are those of <c>call</c>: <c>--fuel</c> is the budget of each
/// guest entry (<c>_initialize</c>, then the export), <c>--max-memory-pages</c> caps linear memory, <c>--timeout</c> is one
/// wall-clock deadline for the whole run. Exit codes: 0 ok, 1 trap or limit exceeded, 2 usage or module error; a WASI
/// exit code is the process's exit code when it is 0–255, and 1 otherwise (an exit status has 8 bits: 256 would
/// read as success), with a note on stderr.
/// </summary>
public static class RunCommand
{
    /// <summary>The <c>run</c> command.</summary>
    internal static Command Create(CliCommandContext cli)
    {
        var file = new Argument<string>("FILE") { Description = "The .wasm module" };
        var args = new Argument<string[]>("ARGS") { Description = "Arguments for the invoked export, parsed per its parameter types", Arity = ArgumentArity.ZeroOrMore };
        var invoke = new Option<string?>("--invoke") { Description = "Name of the exported function to call" };
        var runtime = new Option<string?>("--runtime") { Description = "Runtime plugin id (default: the preferred available one)" };
        var fuel = CliNumbers.Option("--fuel", "Instruction budget of each guest entry (_initialize, then the export)", CliNumbers.Fuel);
        var pages = CliNumbers.Option("--max-memory-pages", "Cap on linear memory size in 64 KiB pages", CliNumbers.MemoryPages);
        var timeout = CliNumbers.Option("--timeout", "Wall-clock limit for the whole run in milliseconds (default: none)", CliNumbers.TimeoutMs);
        var run = new Command("run", "Run an export of a WebAssembly module and print its results");
        run.Arguments.Add(file);
        run.Arguments.Add(args);
        foreach (var option in new Option[] { invoke, runtime, fuel, pages, timeout }) run.Options.Add(option);
        run.SetAction(pr => cli.WithCatalog(pr, catalog => Run(catalog, pr.GetValue(file)!, pr.GetValue(invoke), pr.GetValue(args) ?? [],
            pr.GetValue(runtime), pr.GetValue(fuel), (uint?)pr.GetValue(pages), (int?)pr.GetValue(timeout), Console.Out, Console.Error)));
        return run;
    }

    /// <summary>Runs the command.</summary>
    public static int Run(RuntimeCatalog catalog, string file, string? invoke, IReadOnlyList<string> args, string? runtime, ulong? fuel, uint? maxMemoryPages, TextWriter output, TextWriter error)
        => Run(catalog, file, invoke, args, runtime, fuel, maxMemoryPages, null, output, error);

    /// <summary>Runs the command with a wall-clock limit of <paramref name="timeoutMs"/> for the whole run (null: none).</summary>
    public static int Run(RuntimeCatalog catalog, string file, string? invoke, IReadOnlyList<string> args, string? runtime, ulong? fuel, uint? maxMemoryPages, int? timeoutMs, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        byte[] bytes;
        try { bytes = CliInput.ReadFile(file, "the module", CliInput.MaxModuleBytes); }
        catch (CliUsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
        string shown = HumanText.Sanitize(file);

        IWasmEngine engine;
        try { engine = catalog.CreateEngine(runtime); }
        catch (RuntimeNotAvailableException e) { error.WriteLine($"error: {HumanText.Sanitize(e.Message)}"); return 2; }
        using (engine)
        {
            IWasmModule module;
            try { module = engine.Compile(bytes); }
            catch (WasmModuleException e) { error.WriteLine($"error: {shown}: {HumanText.Sanitize(e.Message)}"); return 2; }
            if (ResolveEntry(module.Definition, shown, invoke, args, error) is not { } entry) return 2;
            return Execute(engine, module, entry, shown, new RunLimits(fuel, maxMemoryPages, timeoutMs), output, error);
        }
    }

    // What `run` calls: the export (or _start for a WASI command), its type and the parsed arguments.
    private sealed record RunEntry(string Export, bool IsCommand, FuncType Type, WasmValue[] Arguments);

    private readonly record struct RunLimits(ulong? Fuel, uint? MaxMemoryPages, int? TimeoutMs);

    /// <summary>Step 1: which export runs and with what arguments; null (after an error line) when the command line does not fit the module.</summary>
    private static RunEntry? ResolveEntry(Module definition, string shown, string? invoke, IReadOnlyList<string> args, TextWriter error)
    {
        var functionExports = HumanText.Sanitize(string.Join(", ", definition.Exports.Where(x => x.Kind == ExternKind.Function).Select(x => x.Name)));
        bool command = invoke is null;
        if (command)
        {
            // Like `wasmtime run FILE`: a WASI command module's _start.
            if (!WasmLinker.IsCommand(definition))
            {
                error.WriteLine($"error: {shown} exports no _start (not a WASI command); use --invoke NAME. Exported functions: {functionExports}");
                return null;
            }
            if (args.Count > 0)
            {
                error.WriteLine("error: arguments are passed to --invoke functions only; WASI commands get an empty argv");
                return null;
            }
            invoke = WasmLinker.StartExport;
        }
        var export = definition.Exports.FirstOrDefault(x => x.Name == invoke);
        if (export is null || export.Kind != ExternKind.Function)
        {
            error.WriteLine($"error: {shown} has no exported function '{HumanText.Sanitize(invoke)}'; exported functions: {functionExports}");
            return null;
        }
        var type = definition.GetFunctionType(export.Index);
        if (args.Count != type.Parameters.Length)
        {
            error.WriteLine($"error: '{HumanText.Sanitize(invoke)}' has type {type} and takes {type.Parameters.Length} arguments, {args.Count} given");
            return null;
        }
        var arguments = new WasmValue[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            if (!TryParse(args[i], type.Parameters[i], out arguments[i]))
            {
                error.WriteLine($"error: argument {i + 1} '{HumanText.Sanitize(args[i])}' is not a valid {type.Parameters[i].ToWat()}");
                return null;
            }
        }
        return new RunEntry(invoke!, command, type, arguments);
    }

    /// <summary>Step 2: instantiates with every WASI facility, runs the entry under the limits, prints the results; the exit code.</summary>
    private static int Execute(IWasmEngine engine, IWasmModule module, RunEntry entry, string shown, RunLimits limits, TextWriter output, TextWriter error)
    {
        var storeLimits = limits.MaxMemoryPages is { } pages ? StoreLimits.Default with { MaxMemoryPages = pages } : StoreLimits.Default;
        using var deadline = new CancellationTokenSource();
        if (limits.TimeoutMs is { } ms) deadline.CancelAfter(ms);
        var results = new WasmValue[entry.Type.Results.Length];
        IWasmStore? store = null;
        ulong consumed;
        try
        {
            store = engine.CreateStore(storeLimits);
            // Without --timeout nothing can cancel the call: an uncancellable token lets a JIT runtime skip
            // interruption checks (Wasmtime compiles its code without epochs then).
            var options = new CallOptions { Fuel = limits.Fuel, CancellationToken = limits.TimeoutMs is null ? CancellationToken.None : deadline.Token };
            // The user runs their own module from the command line, so every WASI facility is granted and
            // guest stdout/stderr go to this process's stdout/stderr. Imports other than WASI functions fail to link.
            var linker = WasiPreview1.CreateLinker(new WasiOptions { Grants = WasiGrants.All, Output = new ConsoleSink(output, error) });
            if (entry.IsCommand)
            {
                int exitCode = linker.RunCommand(store, module, options);
                output.Flush();
                if (limits.Fuel is not null) error.WriteLine($"fuel consumed: {store.LastCallFuelConsumed}");
                return ExitStatus(exitCode, error);
            }
            var instance = linker.InstantiateReactor(store, module, options);
            instance.GetFunction(entry.Export)!.Invoke(entry.Arguments, results, options);
            consumed = store.LastCallFuelConsumed;
        }
        catch (WasmTrapException trap) when (trap.Kind == TrapKind.Exit)
        {
            output.Flush();
            return ExitStatus(trap.ExitCode, error);
        }
        catch (WasmTrapException trap)
        {
            output.Flush();
            error.WriteLine(trap.Kind switch
            {
                TrapKind.Interrupted when deadline.IsCancellationRequested => $"error: timeout: --timeout {limits.TimeoutMs} ms exceeded",
                TrapKind.OutOfFuel => $"error: out of fuel: --fuel {limits.Fuel} exhausted",
                _ => $"error: wasm trap: {HumanText.Sanitize(trap.Message)}",
            });
            foreach (var frame in trap.WasmStack) error.WriteLine($"    at {HumanText.Sanitize(frame.ToString())}");
            return 1;
        }
        catch (WasmLinkException e)
        {
            error.WriteLine($"error: {HumanText.Sanitize(e.Message)}");
            return 2;
        }
        catch (Exception e) when (e is WasmModuleException or InvalidOperationException or ArgumentException)
        {
            // Instantiation refused (e.g. the module's minimum memory is above --max-memory-pages).
            error.WriteLine($"error: {shown}: {HumanText.Sanitize(e.Message)}");
            return 2;
        }
        finally
        {
            store?.Dispose();
        }
        foreach (var r in results) output.WriteLine(Format(r));
        if (limits.Fuel is not null) error.WriteLine($"fuel consumed: {consumed}");
        return 0;
    }

    /// <summary>
    /// The process exit status for a WASI exit code: the code itself when it is 0–255; otherwise 1, with a note on
    /// <paramref name="error"/> (an exit status has 8 bits, so 256 would read as success and 257 as 1).
    /// </summary>
    public static int ExitStatus(int wasiExitCode, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        uint code = unchecked((uint)wasiExitCode);
        if (code <= 255) return (int)code;
        error.WriteLine($"polymath: the module exited with code {code}, which an exit status (0-255) cannot carry; exiting with 1");
        return 1;
    }

    /// <summary>Parses a command-line argument as a value of <paramref name="type"/> (integers may be negative or unsigned; floats accept nan, inf).</summary>
    public static bool TryParse(string text, ValueType type, out WasmValue value)
    {
        var inv = CultureInfo.InvariantCulture;
        value = default;
        switch (type)
        {
            case ValueType.I32:
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var i32)) { value = WasmValue.I32(i32); return true; }
                if (uint.TryParse(text, NumberStyles.None, inv, out var u32)) { value = WasmValue.I32((int)u32); return true; }
                return false;
            case ValueType.I64:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var i64)) { value = WasmValue.I64(i64); return true; }
                if (ulong.TryParse(text, NumberStyles.None, inv, out var u64)) { value = WasmValue.I64((long)u64); return true; }
                return false;
            case ValueType.F32:
                if (float.TryParse(FloatText(text), NumberStyles.Float, inv, out var f32)) { value = WasmValue.F32(f32); return true; }
                return false;
            case ValueType.F64:
                if (double.TryParse(FloatText(text), NumberStyles.Float, inv, out var f64)) { value = WasmValue.F64(f64); return true; }
                return false;
            default:
                return false;
        }
    }

    private static string FloatText(string text) => text.ToLowerInvariant() switch
    {
        "nan" or "+nan" => "NaN",
        "-nan" => "-NaN",
        "inf" or "+inf" or "infinity" => "Infinity",
        "-inf" or "-infinity" => "-Infinity",
        _ => text,
    };

    /// <summary>Formats a result like wasmtime: integers signed decimal, floats shortest round-trip.</summary>
    public static string Format(WasmValue value) => value.Type switch
    {
        ValueType.I32 => value.AsI32.ToString(CultureInfo.InvariantCulture),
        ValueType.I64 => value.AsI64.ToString(CultureInfo.InvariantCulture),
        ValueType.F32 => value.AsF32.ToString("R", CultureInfo.InvariantCulture),
        ValueType.F64 => value.AsF64.ToString("R", CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private sealed class ConsoleSink(TextWriter output, TextWriter error) : IWasiOutputSink
    {
        public void Write(int fd, ReadOnlySpan<byte> data)
        {
            var writer = fd == 2 ? error : output;
            lock (writer) writer.Write(System.Text.Encoding.UTF8.GetString(data));
        }
    }
}
