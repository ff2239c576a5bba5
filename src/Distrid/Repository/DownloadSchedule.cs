using Distri.Core.Packages;

namespace Distrid.Repository;

/// <summary>
/// How a download uses the link: how many requests run at once and in which order images are asked for. Each new
/// request leaves its stream idle for one round trip; on a link with a large bandwidth-delay product (a WAN) enough
/// other streams must be moving bytes meanwhile, while on a LAN or loopback a few streams already fill the link.
/// </summary>
internal static class DownloadSchedule
{
    /// <summary>
    /// Enough streams that images of the typical (median) size keep the bandwidth-delay product in flight, plus two
    /// for the round trips between images, within [<paramref name="minimum"/>, <paramref name="maximum"/>].
    /// </summary>
    public static int Parallelism(IReadOnlyList<PackageMetadata> packages, double bytesPerSecond, TimeSpan roundTrip, int minimum, int maximum)
    {
        if (packages.Count == 0)
        {
            return 1;
        }

        long median = packages.Select(p => p.Size).Order().ElementAt(packages.Count / 2);
        double inFlight = bytesPerSecond * roundTrip.TotalSeconds;
        int wanted = (int)Math.Min(int.MaxValue, Math.Ceiling(inFlight / Math.Max(median, 1))) + 2;
        return Math.Min(packages.Count, Math.Clamp(wanted, minimum, Math.Max(minimum, maximum)));
    }

    /// <summary>
    /// Largest and smallest alternately: the big images keep the link full from the start and end together, while
    /// the streams between them work through the small ones, whose round trips then hide behind the big transfers
    /// instead of queueing at the end (largest-first) or leaving the link half empty at the start (smallest-first).
    /// </summary>
    public static List<PackageMetadata> Order(IReadOnlyList<PackageMetadata> packages)
    {
        var bySize = packages.OrderByDescending(p => p.Size).ThenBy(p => p.FullName, StringComparer.Ordinal).ToList();
        var order = new List<PackageMetadata>(bySize.Count);
        for (int big = 0, small = bySize.Count - 1; big <= small; big++, small--)
        {
            order.Add(bySize[big]);
            if (small != big)
            {
                order.Add(bySize[small]);
            }
        }

        return order;
    }
}
