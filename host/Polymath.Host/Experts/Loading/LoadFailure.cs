namespace Polymath.Host.Experts;

/// <summary>A package that could not be loaded (kept in the listing as unavailable, with no tier: none was read).</summary>
internal sealed record LoadFailure(string Source, string Id, string Reason, string? Fix)
{
    public ExpertInfo ToInfo() => new() { Id = Id, Tier = null, Source = Source, Status = ExpertStatus.Unavailable, Reason = Reason, Fix = Fix };
}
