using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Xattrs;

namespace Distri.Core.SquashFs.Reading;

public sealed partial class SquashFsImage
{
    /// <summary>Writes the inode's xattr names as "name\0name\0…" (the listxattr format) when they fit.</summary>
    /// <returns>The bytes the whole list needs (0 without xattrs); nothing is written when that exceeds the span.</returns>
    public int ListXattrNames(in InodeAttributes inode, Span<byte> destination)
    {
        if (!inode.HasXattrs || _xattrs is null)
        {
            return 0;
        }

        var lister = new NameLister(destination);
        _xattrs.ForEach(inode.XattrIndex, ref lister);
        return lister.Needed;
    }

    public int ListXattrNames(ulong inodeRef, Span<byte> destination) => ListXattrNames(GetInode(inodeRef), destination);

    /// <summary>Copies the value of xattr <paramref name="fullName"/> (e.g. "user.mime") when it fits.</summary>
    /// <returns>−1 when the inode has no such xattr; otherwise the value's length (nothing is copied when it
    /// exceeds the span).</returns>
    public int GetXattr(in InodeAttributes inode, ReadOnlySpan<byte> fullName, Span<byte> destination)
    {
        if (!inode.HasXattrs || _xattrs is null)
        {
            return -1;
        }

        var finder = new ValueFinder(fullName);
        _xattrs.ForEach(inode.XattrIndex, ref finder);
        if (!finder.Found)
        {
            return -1;
        }

        if (finder.Value.Length <= destination.Length)
        {
            _xattrs.ReadValue(finder.Value, destination);
        }

        return finder.Value.Length;
    }

    public int GetXattr(ulong inodeRef, ReadOnlySpan<byte> fullName, Span<byte> destination) =>
        GetXattr(GetInode(inodeRef), fullName, destination);

    /// <summary>All xattrs of an inode with their values, in image order (allocates; for tools).</summary>
    public IReadOnlyList<SquashFsXattr> GetXattrs(ulong inodeRef)
    {
        InodeAttributes inode = GetInode(inodeRef);
        if (!inode.HasXattrs || _xattrs is null)
        {
            return [];
        }

        var collector = new XattrCollector(_xattrs, []);
        _xattrs.ForEach(inode.XattrIndex, ref collector);
        return collector.Entries;
    }

    private ref struct NameLister(Span<byte> destination) : IXattrVisitor
    {
        private readonly Span<byte> _destination = destination;

        public int Needed { get; private set; }

        public bool Visit(scoped ReadOnlySpan<byte> fullName, in XattrValue value)
        {
            int end = Needed + fullName.Length + 1;
            if (end <= _destination.Length)
            {
                fullName.CopyTo(_destination[Needed..]);
                _destination[end - 1] = 0;
            }

            Needed = end;
            return true;
        }
    }

    private ref struct ValueFinder(ReadOnlySpan<byte> wanted) : IXattrVisitor
    {
        private readonly ReadOnlySpan<byte> _wanted = wanted;

        public bool Found { get; private set; }

        public XattrValue Value { get; private set; }

        public bool Visit(scoped ReadOnlySpan<byte> fullName, in XattrValue value)
        {
            if (!fullName.SequenceEqual(_wanted))
            {
                return true;
            }

            Found = true;
            Value = value;
            return false;
        }
    }

    private readonly struct XattrCollector(XattrTable table, List<SquashFsXattr> entries) : IXattrVisitor
    {
        public List<SquashFsXattr> Entries => entries;

        public bool Visit(scoped ReadOnlySpan<byte> fullName, in XattrValue value)
        {
            byte[] bytes = new byte[value.Length];
            table.ReadValue(value, bytes);
            entries.Add(new SquashFsXattr(System.Text.Encoding.UTF8.GetString(fullName), bytes));
            return true;
        }
    }
}
