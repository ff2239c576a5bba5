using Distrid.Fuse.Session;

namespace Distrid.FileSystem;

/// <summary>
/// What to push into the kernel's page cache after a READ: the rest of the SquashFS blocks the READ touched.
/// The block had to be decompressed whole to answer it, so its other pages cost only a copy now, while a later
/// READ for them would cost a round trip (the kernel's own squashfs fills the same pages on a miss). Sequential
/// READs cover whole blocks and queue nothing; a random 4 KiB READ queues the block's other 124 KiB.
/// </summary>
internal static class PageCacheFill
{
    private const long PageSize = 4096;

    /// <summary>Queues [block start, READ start) and [READ end, block end), page-aligned and never past EOF.</summary>
    public static void QueueRestOfBlocks(FuseSession session, ulong node, long offset, int read, long fileSize, uint blockSize)
    {
        long end = offset + read;
        long windowStart = offset / blockSize * blockSize;
        long windowEnd = Math.Min(((end + blockSize - 1) / blockSize) * blockSize, fileSize);

        // The pages the READ itself fills (the kernel asked for them) are left out.
        long before = offset / PageSize * PageSize;
        if (before > windowStart)
        {
            session.QueueStore(node, windowStart, (int)(before - windowStart));
        }

        long after = Math.Min((end + PageSize - 1) / PageSize * PageSize, windowEnd);
        if (after < windowEnd)
        {
            session.QueueStore(node, after, (int)(windowEnd - after));
        }
    }
}
