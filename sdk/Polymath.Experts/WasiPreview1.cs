using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts;

/// <summary>
/// The WASI preview 1 shim shared by every runtime (the minimal set larql's experts use). One object per
/// instance. Each function works on the guest memory it is given, validates every pointer (a bad one answers
/// <see cref="Fault"/>) and never returns host data for a facility that was not granted:
/// <list type="bullet">
/// <item><c>fd_write</c>: fds 1 and 2 only; without <c>wasi.stdio</c> it answers <see cref="BadF"/> (the errno of a
/// closed stream, which Rust's std and wasi-libc treat as "stdout is closed", so a guest that prints does not fail).
/// One call writes at most <see cref="MaxBytesPerWrite"/> bytes (a short write, which WASI and POSIX allow and libc
/// retries), and it checks the call's deadline before each iovec: a passed deadline ends the call as an
/// <see cref="TrapKind.Interrupted"/> trap, so a guest cannot stay in the host past its timeout.</item>
/// <item><c>clock_time_get</c>/<c>clock_res_get</c>: without <c>wasi.clock</c> answer <see cref="NotCapable"/>.</item>
/// <item><c>random_get</c>: without <c>wasi.random</c> answers <see cref="NotCapable"/>.</item>
/// <item><c>args_*</c>/<c>environ_*</c>: always empty. <c>sched_yield</c>: success. <c>proc_exit</c>: ends the call as a
/// <see cref="TrapKind.Exit"/> trap. <c>fd_prestat_get</c>, <c>fd_prestat_dir_name</c>, <c>fd_fdstat_get</c>: <see cref="BadF"/>.
/// Every other WASI function: <see cref="NoSys"/>.</item>
/// </list>
/// </summary>
public sealed class WasiPreview1
{
    /// <summary>The import module name.</summary>
    public const string ModuleName = "wasi_snapshot_preview1";

    /// <summary>errno success.</summary>
    public const int Success = 0;
    /// <summary>errno badf: bad file descriptor.</summary>
    public const int BadF = 8;
    /// <summary>errno fault: a pointer or length outside guest memory.</summary>
    public const int Fault = 21;
    /// <summary>errno inval: invalid argument (unknown clock id).</summary>
    public const int Inval = 28;
    /// <summary>errno nosys: function not supported.</summary>
    public const int NoSys = 52;
    /// <summary>errno notcapable: the facility was not granted.</summary>
    public const int NotCapable = 76;

    /// <summary>Most bytes one <c>fd_write</c> call writes (1 MiB); the rest of its iovecs are left for the guest to retry.</summary>
    public const int MaxBytesPerWrite = 1 << 20;

    private readonly WasiOptions _options;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    /// <summary>Creates the shim state for one instance.</summary>
    public WasiPreview1(WasiOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The grants in force.</summary>
    public WasiGrants Grants => _options.Grants;

    private static bool InBounds(Span<byte> memory, int ptr, long length) =>
        length >= 0 && (ulong)(uint)ptr + (ulong)length <= (ulong)memory.Length;

    /// <summary><c>fd_write(fd, iovs, iovs_len, nwritten) -> errno</c>.</summary>
    public int FdWrite(Span<byte> memory, int fd, int iovs, int iovsLen, int nwrittenPtr) =>
        FdWrite(memory, fd, iovs, iovsLen, nwrittenPtr, CancellationToken.None);

    /// <summary>
    /// <c>fd_write</c> under the call's <paramref name="deadline"/>: checked before each iovec, a cancelled token throws a
    /// <see cref="TrapKind.Interrupted"/> trap. Writes at most <see cref="MaxBytesPerWrite"/> bytes and reports how many.
    /// </summary>
    /// <exception cref="WasmTrapException">The deadline passed (or the call was cancelled) during the write.</exception>
    public int FdWrite(Span<byte> memory, int fd, int iovs, int iovsLen, int nwrittenPtr, CancellationToken deadline)
    {
        if (fd is not (1 or 2)) return BadF;
        if (!_options.Grants.HasFlag(WasiGrants.Stdio)) return BadF;
        if (iovsLen < 0 || !InBounds(memory, iovs, (long)(uint)iovsLen * 8) || !InBounds(memory, nwrittenPtr, 4)) return Fault;
        uint total = 0;
        for (int i = 0; i < iovsLen && total < MaxBytesPerWrite; i++)
        {
            if (deadline.IsCancellationRequested) throw new WasmTrapException(TrapKind.Interrupted, "the call's deadline passed during fd_write");
            int entry = iovs + i * 8;
            int buf = BinaryPrimitives.ReadInt32LittleEndian(memory.Slice(entry, 4));
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(memory.Slice(entry + 4, 4));
            if (!InBounds(memory, buf, len)) return Fault;
            len = Math.Min(len, MaxBytesPerWrite - total);
            if (len > 0) _options.Output?.Write(fd, memory.Slice(buf, (int)len));
            total += len;
        }
        return Written(memory, nwrittenPtr, total);
    }

    private static int Written(Span<byte> memory, int nwrittenPtr, uint total)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(memory.Slice(nwrittenPtr, 4), total);
        return Success;
    }

    /// <summary><c>clock_time_get(id, precision, time_ptr) -> errno</c>.</summary>
    public int ClockTimeGet(Span<byte> memory, int id, long precision, int resultPtr)
    {
        _ = precision;
        if (!_options.Grants.HasFlag(WasiGrants.Clock)) return NotCapable;
        if (!InBounds(memory, resultPtr, 8)) return Fault;
        ulong ns;
        switch (id)
        {
            case 0: ns = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100; break;
            case 1: ns = TimestampToNs(Stopwatch.GetTimestamp()); break;
            case 2: case 3: ns = TimestampToNs(Stopwatch.GetTimestamp() - _startTimestamp); break;
            default: return Inval;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(memory.Slice(resultPtr, 8), ns);
        return Success;
    }

    /// <summary><c>clock_res_get(id, resolution_ptr) -> errno</c>.</summary>
    public int ClockResGet(Span<byte> memory, int id, int resultPtr)
    {
        if (!_options.Grants.HasFlag(WasiGrants.Clock)) return NotCapable;
        if (!InBounds(memory, resultPtr, 8)) return Fault;
        ulong res = id switch
        {
            0 => 100,
            1 or 2 or 3 => Math.Max(1UL, (ulong)(1_000_000_000.0 / Stopwatch.Frequency)),
            _ => 0,
        };
        if (res == 0) return Inval;
        BinaryPrimitives.WriteUInt64LittleEndian(memory.Slice(resultPtr, 8), res);
        return Success;
    }

    /// <summary><c>random_get(buf, len) -> errno</c>.</summary>
    public int RandomGet(Span<byte> memory, int buf, int len)
    {
        if (!_options.Grants.HasFlag(WasiGrants.Random)) return NotCapable;
        if (!InBounds(memory, buf, (uint)len)) return Fault;
        RandomNumberGenerator.Fill(memory.Slice(buf, len));
        return Success;
    }

    /// <summary><c>args_sizes_get</c> and <c>environ_sizes_get</c>: zero entries, zero bytes.</summary>
    public int SizesGet(Span<byte> memory, int countPtr, int bufSizePtr)
    {
        if (!InBounds(memory, countPtr, 4) || !InBounds(memory, bufSizePtr, 4)) return Fault;
        BinaryPrimitives.WriteUInt32LittleEndian(memory.Slice(countPtr, 4), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.Slice(bufSizePtr, 4), 0);
        return Success;
    }

    private static ulong TimestampToNs(long ticks) => (ulong)((double)ticks * 1_000_000_000.0 / Stopwatch.Frequency);

    private static readonly FuncType I32x4ToI32 = new([ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32], [ValueType.I32]);
    private static readonly FuncType I32x2ToI32 = new([ValueType.I32, ValueType.I32], [ValueType.I32]);
    private static readonly FuncType I32ToI32 = new([ValueType.I32], [ValueType.I32]);
    private static readonly FuncType ClockTimeType = new([ValueType.I32, ValueType.I64, ValueType.I32], [ValueType.I32]);
    private static readonly FuncType VoidToI32 = new([], [ValueType.I32]);
    private static readonly FuncType ProcExitType = new([ValueType.I32], []);

    private static readonly FuncType FdPrestatDirNameType = new([ValueType.I32, ValueType.I32, ValueType.I32], [ValueType.I32]);

    /// <summary>
    /// Defines every function of this shim in <paramref name="linker"/> under <see cref="ModuleName"/>, each with the type
    /// WASI preview 1 gives it (a module importing one with another type fails to link); any other WASI function
    /// returning an errno answers <see cref="NoSys"/>. The functions share this object's state and grants.
    /// </summary>
    public WasmLinker Define(WasmLinker linker)
    {
        ArgumentNullException.ThrowIfNull(linker);
        linker.DefineFunction(ModuleName, "fd_write", I32x4ToI32,
            (ctx, a, r) => r[0] = WasmValue.I32(Mem(ctx, out var m) ? FdWrite(m, a[0].AsI32, a[1].AsI32, a[2].AsI32, a[3].AsI32, ctx.CancellationToken) : Fault));
        linker.DefineFunction(ModuleName, "proc_exit", ProcExitType,
            // The WASI exit code is a u32: the message shows it unsigned (proc_exit(4294967295), not -1); ExitCode keeps the
            // 32 bits, and a front end that becomes a process must map codes above 255 (polymath run: to 1).
            static (_, a, _) => throw new WasmTrapException(TrapKind.Exit, $"proc_exit({(uint)a[0].AsI32})") { ExitCode = a[0].AsI32 });
        HostFunctionCallback sizes = (ctx, a, r) => r[0] = WasmValue.I32(Mem(ctx, out var m) ? SizesGet(m, a[0].AsI32, a[1].AsI32) : Fault);
        linker.DefineFunction(ModuleName, "args_sizes_get", I32x2ToI32, sizes);
        linker.DefineFunction(ModuleName, "environ_sizes_get", I32x2ToI32, sizes);
        HostFunctionCallback success = static (_, _, r) => r[0] = WasmValue.I32(Success);
        linker.DefineFunction(ModuleName, "args_get", I32x2ToI32, success);
        linker.DefineFunction(ModuleName, "environ_get", I32x2ToI32, success);
        linker.DefineFunction(ModuleName, "clock_time_get", ClockTimeType,
            (ctx, a, r) => r[0] = WasmValue.I32(Mem(ctx, out var m) ? ClockTimeGet(m, a[0].AsI32, a[1].AsI64, a[2].AsI32) : Fault));
        linker.DefineFunction(ModuleName, "clock_res_get", I32x2ToI32,
            (ctx, a, r) => r[0] = WasmValue.I32(Mem(ctx, out var m) ? ClockResGet(m, a[0].AsI32, a[1].AsI32) : Fault));
        linker.DefineFunction(ModuleName, "random_get", I32x2ToI32,
            (ctx, a, r) => r[0] = WasmValue.I32(Mem(ctx, out var m) ? RandomGet(m, a[0].AsI32, a[1].AsI32) : Fault));
        linker.DefineFunction(ModuleName, "sched_yield", VoidToI32, success);
        HostFunctionCallback badF = static (_, _, r) => r[0] = WasmValue.I32(BadF);
        linker.DefineFunction(ModuleName, "fd_prestat_get", I32x2ToI32, badF);
        linker.DefineFunction(ModuleName, "fd_prestat_dir_name", FdPrestatDirNameType, badF);
        linker.DefineFunction(ModuleName, "fd_fdstat_get", I32x2ToI32, badF);
        linker.DefineFallback(ModuleName, static (store, import, type) =>
        {
            if (import.Kind != ExternKind.Function || type is null)
                throw new WasmLinkException($"import '{ModuleName}.{import.Name}' is a {import.Kind.ToString().ToLowerInvariant()}; WASI preview 1 defines only functions");
            if (type.Results.Length == 1 && type.Results[0] == ValueType.I32)
                return store.CreateHostFunction(type, static (_, _, r) => r[0] = WasmValue.I32(NoSys));
            throw new WasmLinkException($"import '{ModuleName}.{import.Name}' has type {type}; it is not supported and cannot answer NOSYS");
        });
        return linker;
    }

    /// <summary>A linker with this shim defined and nothing else: what experts and <c>polymath run</c> link against.</summary>
    public static WasmLinker CreateLinker(WasiOptions options) => new WasiPreview1(options).Define(new WasmLinker());

    private static bool Mem(IHostCallContext ctx, out Span<byte> memory)
    {
        var m = ctx.GetMemory();
        if (m is null) { memory = default; return false; }
        memory = m.Span;
        return true;
    }
}
