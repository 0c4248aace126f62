using System.Reflection;
using System.Runtime.CompilerServices;
using Polymath.Host.Manifest;
using Polymath.Sdk;

namespace Polymath.Host.Loading;

/// <summary>A plugin could not be loaded; <see cref="Exception.Message"/> is the one-line reason reported as <c>failed</c>.</summary>
public sealed class PluginLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginLoadException(string message, Exception? inner = null) : base(message, inner) { }
}
