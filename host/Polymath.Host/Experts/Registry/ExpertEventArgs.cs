namespace Polymath.Host.Experts;

/// <summary>What happened to an expert (event data).</summary>
/// <param name="Expert">The expert as it is now (or was, for unload).</param>
/// <param name="Message">One line for logs.</param>
public sealed record ExpertEventArgs(ExpertInfo Expert, string Message);
