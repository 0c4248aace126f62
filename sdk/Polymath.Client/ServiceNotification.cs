using System.Text.Json;

namespace Polymath.Client;

/// <summary>A notification from the service (<c>experts.loaded</c>, <c>experts.unloaded</c>).</summary>
/// <param name="Method">The notification's method.</param>
/// <param name="Params">Its params (a detached copy).</param>
public sealed record ServiceNotification(string Method, JsonElement Params);
