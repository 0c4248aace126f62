using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts;

/// <summary>Receives what a guest writes to stdout (fd 1) and stderr (fd 2) when <c>wasi.stdio</c> is granted. Must be thread-safe.</summary>
public interface IWasiOutputSink
{
    /// <summary>One fd_write buffer. <paramref name="data"/> is only valid during the call.</summary>
    void Write(int fd, ReadOnlySpan<byte> data);
}
