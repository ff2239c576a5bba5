using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Data;
using Distri.Core.SquashFs.Reading.Directories;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Metadata;
using Distri.Core.SquashFs.Reading.Sources;
using Distri.Core.SquashFs.Reading.Tables;
using Distri.Core.SquashFs.Reading.Xattrs;
using Microsoft.Win32.SafeHandles;

namespace Distri.Core.SquashFs.Reading;

/// <summary>
/// A read-only SquashFS 4.0 image. Inodes are addressed by their 48-bit inode reference; every method is safe to
/// call from many threads at once. A corrupt or hostile image only ever yields <see cref="SquashFsException"/>.
/// </summary>
public sealed partial class SquashFsImage : IDisposable
{
    private readonly ImageAccess _access;
    private readonly MetadataBlockCache _metadata;
    private readonly InodeDecoder _inodes;
    private readonly DirectoryReader _directories;
    private readonly FileDataReader _data;
    private readonly ExportTable? _export;
    private readonly XattrTable? _xattrs;
    private readonly MetadataRegion _inodeRegion;

    /// <summary>At most this much of an image's end is asked for at open: all the metadata of a typical package, the
    /// tables and the root directory of a large one.</summary>
    private const long MetadataPrefetchLimit = 2 << 20;

    private SquashFsImage(IBlockSource source, bool ownsSource, SquashFsReadOptions options)
    {
        Span<byte> header = stackalloc byte[SquashFsLayout.SuperblockSize];
        if (source.Length < header.Length)
        {
            throw new SquashFsException(SquashFsError.Truncated, "image is shorter than a superblock");
        }

        ReadSuperblockBytes(source, header);
        Superblock sb = Superblock.Read(header, source.Length);
        if (sb.Compression is CompressionId.None || (ushort)sb.Compression > (ushort)CompressionId.Zstd)
        {
            throw new SquashFsException(SquashFsError.BadSuperblock, $"unknown compressor id {(ushort)sb.Compression}");
        }

        Superblock = sb;
        // All but the files' data lies at the image's end: the inode and directory tables, then the fragment, export, id
        // and xattr tables. Opening the image and each lookup after it read that part in small steps that depend on one
        // another, each one a trip to the disk when the page cache is cold (a program's first start after boot probes
        // dozens of images this way). Asked for at once, the disk reads it in one go while the first step waits.
        // Superblock.Read checked that the inode table starts before bytes_used, which lies inside the source.
        long metadataStart = Math.Max((long)sb.InodeTableStart, (long)sb.BytesUsed - MetadataPrefetchLimit);
        source.WillNeed(metadataStart, (long)sb.BytesUsed - metadataStart);

        BlockCodec codec = BlockCodec.For(sb.Compression);
        _access = new ImageAccess(source, ownsSource, (long)sb.BytesUsed, codec);
        _metadata = new MetadataBlockCache(_access, options.MetadataCacheBytes);

        long directoryStart = (long)sb.DirectoryTableStart;
        var ids = IdTable.Load(_access, _metadata, (long)sb.IdTableStart, directoryStart, sb.IdCount);
        LookupTable? fragments = sb.HasFragments
            ? LookupTable.Load(_access, _metadata, (long)sb.FragmentTableStart, directoryStart, sb.FragmentEntryCount, 16, "fragment")
            : null;
        _export = sb.HasExportTable
            ? new ExportTable(LookupTable.Load(_access, _metadata, (long)sb.ExportTableStart, directoryStart, sb.InodeCount, 8, "export"))
            : null;
        _xattrs = sb.HasXattrs ? XattrTable.Load(_access, _metadata, (long)sb.XattrIdTableStart, directoryStart) : null;

        // The directory table ends where the first table after it begins.
        long directoryLimit = (long)sb.BytesUsed;
        foreach (long next in (ReadOnlySpan<long>)[
            ids.FirstBlock, (long)sb.IdTableStart, fragments?.FirstBlock ?? long.MaxValue,
            sb.HasFragments ? (long)sb.FragmentTableStart : long.MaxValue, _export?.FirstBlock ?? long.MaxValue,
            sb.HasExportTable ? (long)sb.ExportTableStart : long.MaxValue, _xattrs?.KeyValueStart ?? long.MaxValue,
            sb.HasXattrs ? (long)sb.XattrIdTableStart : long.MaxValue])
        {
            if (next >= directoryStart && next < directoryLimit)
            {
                directoryLimit = next;
            }
        }

        _inodeRegion = new MetadataRegion(_metadata, (long)sb.InodeTableStart, directoryStart);
        var directoryRegion = new MetadataRegion(_metadata, directoryStart, directoryLimit);
        _inodes = new InodeDecoder(
            _inodeRegion, ids, sb.InodeCount, sb.BlockSize, _access.End, _xattrs?.Count ?? 0, fragments?.Count ?? 0);
        _directories = new DirectoryReader(_inodeRegion, directoryRegion);
        _data = new FileDataReader(
            _access, _inodeRegion, new FragmentTable(fragments, _access.End, sb.BlockSize), sb.BlockSize, options);

        Root = _inodes.Decode(sb.RootInodeRef);
        if (Root.Kind != FileKind.Directory)
        {
            throw new SquashFsException(SquashFsError.CorruptMetadata, "the root inode is not a directory");
        }
    }

    /// <summary>Opens an image file for reading (pread on one handle, shared by all threads).</summary>
    public static SquashFsImage Open(string path, SquashFsReadOptions? options = null) =>
        Open(FileBlockSource.Open(path), ownsSource: true, options);

    /// <summary>Opens an image from a handle the caller keeps owning.</summary>
    public static SquashFsImage Open(SafeFileHandle handle, SquashFsReadOptions? options = null) =>
        Open(new FileBlockSource(handle, ownsHandle: false), ownsSource: true, options);

    /// <summary>Opens an image from any byte source (tests feed memory).</summary>
    public static SquashFsImage Open(IBlockSource source, bool ownsSource, SquashFsReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return new SquashFsImage(source, ownsSource, options ?? SquashFsReadOptions.Default);
        }
        catch when (ownsSource)
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>The validated superblock.</summary>
    public Superblock Superblock { get; }

    public ulong RootInodeRef => Superblock.RootInodeRef;

    /// <summary>The root directory's attributes (decoded once at open).</summary>
    public InodeAttributes Root { get; }

    public SquashFsStatistics Statistics => new(
        Superblock.BytesUsed,
        Superblock.BlockSize,
        Superblock.InodeCount,
        Superblock.FragmentEntryCount,
        Superblock.IdCount,
        Superblock.Compression,
        Superblock.ModificationTime,
        _export is not null,
        _xattrs is not null);

    /// <summary>Decodes the inode at <paramref name="inodeRef"/> (ids resolved, every field checked).</summary>
    public InodeAttributes GetInode(ulong inodeRef) => inodeRef == Root.InodeRef ? Root : _inodes.Decode(inodeRef);

    /// <summary>The inode reference of inode number <paramref name="inodeNumber"/>, through the export table
    /// (false when the image has none or the number is out of range).</summary>
    public bool TryGetInodeRef(uint inodeNumber, out ulong inodeRef)
    {
        inodeRef = 0;
        return _export is not null && _export.TryGet(inodeNumber, out inodeRef);
    }

    public void Dispose()
    {
        _data.Clear();
        _metadata.Clear();
        _access.Dispose();
    }

    private static void ReadSuperblockBytes(IBlockSource source, Span<byte> header)
    {
        int done = 0;
        while (done < header.Length)
        {
            int read = source.Read(done, header[done..]);
            if (read <= 0)
            {
                throw new SquashFsException(SquashFsError.Truncated, "image is shorter than a superblock");
            }

            done += read;
        }
    }
}
