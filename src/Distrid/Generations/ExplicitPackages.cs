namespace Distrid.Generations;

/// <summary>
/// Which packages of a generation were installed on request (apt's "manual" mark) rather than only as a dependency:
/// the generation's <see cref="Generation.Requested"/> list is that record. A generation file written before the
/// record existed has packages but no request list; then every package counts as explicit, which is the safe answer
/// (nothing is ever dropped or called "only a dependency" on a guess).
/// </summary>
public static class ExplicitPackages
{
    public static IReadOnlySet<string> Of(Generation generation)
    {
        var installed = generation.Packages.ToHashSet(StringComparer.Ordinal);
        if (generation.Requested.Count == 0)
        {
            return installed;
        }

        installed.IntersectWith(generation.Requested);
        return installed;
    }
}
