namespace Polymath.Fixtures.VersionedLib;

/// <summary>
/// A private dependency built twice, as assembly version 1.0.0.0 and 2.0.0.0 (same assembly name),
/// so two fixture plugins can each carry their own version.
/// </summary>
public static class VersionedGreeting
{
    /// <summary>The assembly name and version actually loaded, e.g. "Polymath.Fixtures.VersionedLib 2.0.0.0".</summary>
    public static string Describe()
    {
        var name = typeof(VersionedGreeting).Assembly.GetName();
        return $"{name.Name} {name.Version}";
    }

#if V2
    /// <summary>Exists only in version 2: a plugin built against 2.0.0.0 fails with MissingMethodException if given 1.0.0.0.</summary>
    public static int Twice(int value) => checked(value * 2);
#endif
}
