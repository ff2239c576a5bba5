using Distrid.FileSystem.Images;
using Distrid.Fuse.FileSystem;
using Distrid.Fuse.Session;

namespace Distrid.FileSystem;

/// <summary>
/// The /ro tree served over FUSE: the root lists the exchange directories and one directory per store image;
/// package directories are the images' own trees, read through the SquashFS reader. Everything is immutable, so
/// entries and attributes are cached by the kernel for a long time; what changes (the root listing, the exchange
/// trees) is invalidated explicitly when a new namespace is published.
/// </summary>
internal sealed partial class RoFileSystem(ImageTable images, ExchangeNodeTable exchangeNodes) : IFuseFileSystem
{
    /// <summary>Immutable data: the kernel may keep it as long as it likes; changes are invalidated explicitly.</summary>
    private static readonly TimeSpan Forever = TimeSpan.FromDays(365);

    private RoNamespace _namespace = RoNamespace.Empty;
    private FuseSession? _session;

    public RoNamespace Current => Volatile.Read(ref _namespace);

    public ImageTable Images => images;

    /// <summary>The session that serves this file system, for notifications; set once it is started.</summary>
    public void Attach(FuseSession session) => Volatile.Write(ref _session, session);

    /// <summary>
    /// Makes <paramref name="next"/> what /ro shows, in one step, then tells the kernel which cached names changed.
    /// Must not be called from a FUSE request handler (notifications would wait on it).
    /// </summary>
    public void Publish(RoNamespace next)
    {
        var previous = Interlocked.Exchange(ref _namespace, next);
        var session = Volatile.Read(ref _session);
        if (session is null || ReferenceEquals(previous, next))
        {
            return;
        }

        // Exchange roots always get new node ids; package names appear and disappear. Drop exactly those
        // dentries (and cached negative lookups), then the root's attributes and readdir cache.
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in previous.Entries.Concat(next.Entries))
        {
            bool changed = entry.Exchange is not null || previous.Find(entry.Name)?.Image != next.Find(entry.Name)?.Image;
            if (changed && names.Add(Convert.ToHexString(entry.Name)))
            {
                session.NotifyInvalidateEntry(NodeIds.Root, entry.Name);
            }
        }

        session.NotifyInvalidateInode(NodeIds.Root, 0, 0);
    }

    /// <summary>
    /// After resuming a predecessor's connection: the kernel may cache root names from the predecessor's namespace
    /// (exchange roots of its last tree, packages since removed). Drops every name in <paramref name="names"/> and
    /// the root's listing, so the next lookups see the namespace published now. Not from a request handler.
    /// </summary>
    public void InvalidateRootNames(IEnumerable<byte[]> names)
    {
        var session = Volatile.Read(ref _session);
        if (session is null)
        {
            return;
        }

        foreach (byte[] name in names)
        {
            session.NotifyInvalidateEntry(NodeIds.Root, name);
        }

        session.NotifyInvalidateInode(NodeIds.Root, 0, 0);
    }

    public bool HasExtendedAttributes => true;
}
