using Distri.Core.SquashFs;
using Distrid.Fuse.Protocol;

namespace Distrid.FileSystem;

internal sealed partial class RoFileSystem
{
    /// <summary>One request's work on a leased image; its arguments and results travel in <typeparamref name="TState"/>
    /// (spans and refs included), so a static lambda serves every request without allocating.</summary>
    private delegate int LeasedWork<TState>(RoFileSystem fileSystem, in ImageLease lease, ref TState state)
        where TState : allows ref struct;

    /// <summary>
    /// Leases the image behind <paramref name="node"/> for the duration of <paramref name="work"/> (so it cannot be
    /// closed under the reader) and answers EIO for a corrupt image: the one place every image request goes through.
    /// </summary>
    private int WithImage<TState>(ulong node, ref TState state, LeasedWork<TState> work)
        where TState : allows ref struct
    {
        int error = ImageLease.TryAcquire(images, node, out var lease);
        if (error != 0)
        {
            return error;
        }

        using (lease)
        {
            try
            {
                return work(this, in lease, ref state);
            }
            catch (SquashFsException)
            {
                return -Errno.EIO;
            }
        }
    }

    private ref struct ReadRequest(ulong node, long offset, Span<byte> destination, bool fillPageCache)
    {
        public readonly ulong Node = node;
        public readonly long Offset = offset;
        public readonly Span<byte> Destination = destination;
        public readonly bool FillPageCache = fillPageCache;
    }

    private ref struct XattrRequest(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        public readonly ReadOnlySpan<byte> Name = name;
        public readonly Span<byte> Destination = destination;
    }

    private ref struct LookupRequest(ReadOnlySpan<byte> name, ref FuseEntryOut entry)
    {
        public readonly ReadOnlySpan<byte> Name = name;
        public ref FuseEntryOut Entry = ref entry;
    }

    private ref struct AttrRequest(ulong node, ref FuseAttrOut attr)
    {
        public readonly ulong Node = node;
        public ref FuseAttrOut Attr = ref attr;
    }
}
