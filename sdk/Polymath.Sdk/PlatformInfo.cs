using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Polymath.Sdk;

/// <summary>
/// Facts about the platform a runtime would run on. Built from the real process
/// (<see cref="Current"/>) or from a runtime identifier to simulate another platform
/// (<see cref="FromRuntimeIdentifier"/>), so every decision based on it can be tested anywhere.
/// </summary>
public sealed record PlatformInfo
{
    /// <summary>Operating system family as used in RIDs: linux, linux-musl, win, osx, android, ios, freebsd, browser, wasi.</summary>
    public required string OperatingSystem { get; init; }

    /// <summary>Process architecture.</summary>
    public required Architecture Architecture { get; init; }

    /// <summary>Pointer size in bytes (4 or 8).</summary>
    public required int PointerSize { get; init; }

    /// <summary>The runtime identifier, e.g. linux-x64, linux-arm.</summary>
    public required string RuntimeIdentifier { get; init; }

    /// <summary>Whether code can be generated at run time (false under NativeAOT and on iOS).</summary>
    public required bool IsDynamicCodeSupported { get; init; }

    /// <summary>Whether generated code is compiled rather than interpreted.</summary>
    public required bool IsDynamicCodeCompiled { get; init; }

    /// <summary>Whether 128-bit SIMD is hardware accelerated.</summary>
    public required bool IsSimdAccelerated { get; init; }

    /// <summary>True when this describes a simulated platform rather than the real process.</summary>
    public bool IsSimulated { get; init; }

    /// <summary>The platform of the current process.</summary>
    public static PlatformInfo Current { get; } = CreateCurrent();

    private static PlatformInfo CreateCurrent()
    {
        var os = OperatingSystemName();
        var arch = RuntimeInformation.ProcessArchitecture;
        return new PlatformInfo
        {
            OperatingSystem = os,
            Architecture = arch,
            PointerSize = IntPtr.Size,
            RuntimeIdentifier = $"{os}-{ArchitectureName(arch)}",
            IsDynamicCodeSupported = RuntimeFeature.IsDynamicCodeSupported,
            IsDynamicCodeCompiled = RuntimeFeature.IsDynamicCodeCompiled,
            IsSimdAccelerated = Vector128.IsHardwareAccelerated,
        };
    }

    private static string OperatingSystemName()
    {
        if (System.OperatingSystem.IsAndroid()) return "android";
        if (System.OperatingSystem.IsIOS() || System.OperatingSystem.IsTvOS()) return "ios";
        if (System.OperatingSystem.IsMacOS() || System.OperatingSystem.IsMacCatalyst()) return "osx";
        if (System.OperatingSystem.IsWindows()) return "win";
        if (System.OperatingSystem.IsFreeBSD()) return "freebsd";
        if (System.OperatingSystem.IsBrowser()) return "browser";
        if (System.OperatingSystem.IsWasi()) return "wasi";
        if (System.OperatingSystem.IsLinux())
            return RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal) ? "linux-musl" : "linux";
        return "unknown";
    }

    /// <summary>The RID spelling of an architecture (x64, arm, armv6, arm64, x86, riscv64, …).</summary>
    public static string ArchitectureName(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "x64",
        Architecture.X86 => "x86",
        Architecture.Arm => "arm",
        Architecture.Armv6 => "armv6",
        Architecture.Arm64 => "arm64",
        Architecture.RiscV64 => "riscv64",
        Architecture.S390x => "s390x",
        Architecture.LoongArch64 => "loongarch64",
        Architecture.Ppc64le => "ppc64le",
        Architecture.Wasm => "wasm",
        _ => architecture.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses an architecture name as spelled in RIDs; false when unknown.</summary>
    public static bool TryParseArchitecture(string name, out Architecture architecture)
    {
        foreach (var candidate in Enum.GetValues<Architecture>())
        {
            if (string.Equals(ArchitectureName(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                architecture = candidate;
                return true;
            }
        }
        architecture = default;
        return false;
    }

    /// <summary>
    /// Describes a simulated platform from a runtime identifier such as <c>linux-arm</c>,
    /// <c>linux-musl-arm64</c>, <c>android-arm</c>, <c>ios-arm64</c> or <c>win-x86</c>.
    /// Dynamic code defaults to what that OS allows (false on ios and browser); pass
    /// <paramref name="dynamicCode"/> to force it (false stands for NativeAOT).
    /// </summary>
    /// <exception cref="ArgumentException">The identifier has no known architecture suffix.</exception>
    public static PlatformInfo FromRuntimeIdentifier(string rid, bool? dynamicCode = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rid);
        rid = rid.Trim().ToLowerInvariant();
        int dash = rid.LastIndexOf('-');
        if (dash <= 0 || dash == rid.Length - 1 || !TryParseArchitecture(rid[(dash + 1)..], out var arch))
            throw new ArgumentException(
                $"'{rid}' is not a runtime identifier of the form <os>-<arch> with a known architecture " +
                "(x64, x86, arm, armv6, arm64, riscv64, s390x, loongarch64, ppc64le, wasm).", nameof(rid));
        var os = rid[..dash];
        bool osAllowsJit = os is not ("ios" or "tvos" or "browser" or "wasi");
        bool dynamic = dynamicCode ?? osAllowsJit;
        return new PlatformInfo
        {
            OperatingSystem = os,
            Architecture = arch,
            PointerSize = arch is Architecture.X86 or Architecture.Arm or Architecture.Armv6 or Architecture.Wasm ? 4 : 8,
            RuntimeIdentifier = rid,
            IsDynamicCodeSupported = dynamic,
            IsDynamicCodeCompiled = dynamic,
            IsSimdAccelerated = arch is Architecture.X64 or Architecture.Arm64 or Architecture.X86,
            IsSimulated = true,
        };
    }

    /// <summary>This platform with dynamic code switched off (stands for NativeAOT / iOS).</summary>
    public PlatformInfo WithoutDynamicCode() =>
        this with { IsDynamicCodeSupported = false, IsDynamicCodeCompiled = false, IsSimulated = true };

    /// <inheritdoc />
    public override string ToString() =>
        $"{RuntimeIdentifier} ({PointerSize * 8}-bit, dynamic code {(IsDynamicCodeSupported ? "yes" : "no")}{(IsSimulated ? ", simulated" : "")})";
}
