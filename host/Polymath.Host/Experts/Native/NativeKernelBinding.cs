using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Logging;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// An expert served by its native kernel instead of its WebAssembly module, and the decision that makes one
/// (<see cref="TryBind"/>). A kernel is used only when all hold: the operator granted it (<see cref="ExpertHostOptions.NativeKernels"/>,
/// the id or <c>*</c>); the package ships one for the platform's runtime identifier (hash-checked by the package reader);
/// a native kernel runtime is available; the WebAssembly module bound (its metadata is the op table, and it is the
/// fallback); and the kernel's <c>larql_metadata</c> names the same id and ops. Otherwise the WebAssembly binding stands
/// and its reason says why native was not used. The kernel is shadow-copied (<see cref="NativeKernelShadowCopy"/>) and
/// shared per copy (<see cref="SharedNativeKernels"/>); disposing the binding releases it. The registry asks only for the
/// package that won its expert id (<see cref="ExpertLoader.BindNative"/>): a losing package's kernel is never loaded.
/// </summary>
internal sealed class NativeKernelBinding : IDisposable
{
    private int _disposed;

    private NativeKernelBinding(string runtimeId, string rid, string libraryPath, INativeKernel kernel)
    {
        RuntimeId = runtimeId;
        RuntimeIdentifier = rid;
        LibraryPath = libraryPath;
        Kernel = kernel;
    }

    /// <summary>The native kernel runtime's plugin id.</summary>
    public string RuntimeId { get; }

    /// <summary>The runtime identifier the kernel was built for (e.g. linux-x64).</summary>
    public string RuntimeIdentifier { get; }

    /// <summary>The shadow copy that is loaded.</summary>
    public string LibraryPath { get; }

    /// <summary>The loaded kernel (shared with every binding of the same copy).</summary>
    public INativeKernel Kernel { get; }

    /// <summary>True when the operator's <see cref="ExpertHostOptions.NativeKernels"/> names <paramref name="expertId"/> or <c>*</c>.</summary>
    public static bool IsGranted(ExpertHostOptions options, string expertId) =>
        options.NativeKernels.Exists(k => k == "*" || string.Equals(k, expertId, StringComparison.Ordinal));

    /// <summary>
    /// True when <see cref="TryBind"/> would try to load a kernel (granted, one for this platform, the module bound, a
    /// native runtime available) — decided without loading anything.
    /// </summary>
    public static bool MayBind(string expertId, ExpertPackage package, ExpertMetadata? metadata, ExpertBinding binding,
        IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform, ExpertHostOptions options) =>
        IsGranted(options, expertId) && package.Manifest?.Native is { } kernels && kernels.ContainsKey(platform.RuntimeIdentifier)
        && package.Native.ContainsKey(platform.RuntimeIdentifier) && binding.Status != ExpertStatus.Unavailable && metadata is not null
        && runtimes.Any(r => r.Status == RuntimeStatus.Available && r.KernelLoader is not null);

    /// <summary>
    /// Decides whether expert <paramref name="expertId"/> runs on its native kernel. On success returns the binding and
    /// replaces <paramref name="binding"/> with one to the native runtime; otherwise returns null and, when there is
    /// something to say (a kernel present but not granted, granted but unusable), appends why to its reason.
    /// </summary>
    public static NativeKernelBinding? TryBind(string expertId, ExpertPackage package, ExpertMetadata? metadata, ref ExpertBinding binding,
        IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform, ExpertHostOptions options, ILogger logger)
    {
        var kernels = package.Manifest?.Native;
        bool granted = IsGranted(options, expertId);
        bool grantedById = options.NativeKernels.Contains(expertId, StringComparer.Ordinal);
        string rid = platform.RuntimeIdentifier;
        string? notUsed = null;
        NativeKernelBinding? result = null;

        if (kernels is null || kernels.Count == 0)
        {
            if (grantedById) notUsed = "native kernel granted but the package ships none";
        }
        else if (!kernels.TryGetValue(rid, out var payload) || !package.Native.TryGetValue(rid, out var bytes))
        {
            if (granted) notUsed = $"native kernel granted but the package has none for {rid} (it has {string.Join(", ", kernels.Keys.Order(StringComparer.Ordinal))})";
        }
        else if (!granted)
            notUsed = $"native kernel for {rid} present but not granted (Experts:NativeKernels)";
        else if (binding.Status == ExpertStatus.Unavailable || metadata is null)
            notUsed = $"native kernel for {rid} granted but not used: the WebAssembly module, which supplies the op table and the fallback, cannot bind";
        else if (runtimes.FirstOrDefault(r => r.Status == RuntimeStatus.Available && r.KernelLoader is not null) is not { } runtime)
        {
            var configured = runtimes.Where(r => r.Tier == RuntimeTier.Native).ToList();
            notUsed = configured.Count == 0
                ? $"native kernel for {rid} granted but no native kernel runtime is configured (plugins.json)"
                : $"native kernel for {rid} granted but {string.Join("; ", configured.Select(r => $"{r.Id} is {r.StatusName} ({r.Reason})"))}";
        }
        else
        {
            string fileName = Path.GetFileName(payload.Path);
            string directory = options.NativeKernelDirectory ?? NativeKernelShadowCopy.DefaultDirectory;
            string? path = null;
            INativeKernel? kernel = null;
            try
            {
                path = NativeKernelShadowCopy.Place(directory, payload.Sha256, fileName, bytes, logger);
                kernel = SharedNativeKernels.Acquire(path, runtime.KernelLoader!);
                var own = ExpertMetadata.Parse(kernel.Metadata, $"{package.Source} ({payload.Path})");
                var wasmOps = metadata.Ops.Select(o => o.Name).Order(StringComparer.Ordinal);
                var kernelOps = own.Ops.Select(o => o.Name).Order(StringComparer.Ordinal);
                if (own.Id != expertId)
                    notUsed = $"native kernel for {rid} not used: its larql_metadata says id '{own.Id}', not '{expertId}'";
                else if (!wasmOps.SequenceEqual(kernelOps, StringComparer.Ordinal))
                    notUsed = $"native kernel for {rid} not used: its ops ({string.Join(", ", kernelOps)}) differ from the WebAssembly module's ({string.Join(", ", wasmOps)})";
                else
                {
                    result = new NativeKernelBinding(runtime.Id, rid, path, kernel);
                    string fallback = binding.RuntimeId ?? "none";
                    binding = new ExpertBinding(ExpertStatus.Bound, runtime,
                        $"bound to {runtime.Id} (native): the package's kernel for {rid} ({payload.Path}, sha256 {payload.Sha256[..12]}…), granted by the operator; " +
                        $"runs in-process with the host's privileges and no fuel, timeout or memory cap; WebAssembly fallback on {fallback}", [], null);
                    Log.NativeKernelBound(logger, expertId, rid, path, fallback);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or DllNotFoundException
                or EntryPointNotFoundException or BadImageFormatException or NativeKernelAbiException or ExpertPackageException
                or RuntimeNotAvailableException or NotSupportedException)
            {
                notUsed = $"native kernel for {rid} granted but could not be loaded: {e.Message}";
            }
            if (result is null && kernel is not null) SharedNativeKernels.Release(path!);
        }

        if (notUsed is not null)
        {
            binding = binding with { Reason = $"{binding.Reason}; {notUsed}" };
            Log.NativeKernelNotUsed(logger, expertId, notUsed);
        }
        return result;
    }

    /// <summary>Releases the kernel (the last binding of a copy unloads it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) SharedNativeKernels.Release(LibraryPath);
    }
}
