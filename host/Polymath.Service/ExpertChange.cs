using Polymath.Host.Experts;

namespace Polymath.Service;

/// <summary>An expert was loaded or unloaded inside the service.</summary>
/// <param name="Kind"><c>loaded</c> or <c>unloaded</c>.</param>
/// <param name="Expert">The expert as listed by <c>experts.list</c>.</param>
/// <param name="Message">The registry's one-line message.</param>
public sealed record ExpertChange(string Kind, ExpertInfo Expert, string Message);
