namespace Distrid.FileSystem.Exchange;

/// <summary>Something listed in a directory under a raw byte name.</summary>
internal interface INamed
{
    byte[] Name { get; }
}

/// <summary>Binary search over entries sorted bytewise by name, without allocating.</summary>
internal static class SortedNames
{
    public static T? Find<T>(T[] sorted, ReadOnlySpan<byte> name)
        where T : class, INamed
    {
        int lo = 0;
        int hi = sorted.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = sorted[mid].Name.AsSpan().SequenceCompareTo(name);
            if (c == 0)
            {
                return sorted[mid];
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }
}
