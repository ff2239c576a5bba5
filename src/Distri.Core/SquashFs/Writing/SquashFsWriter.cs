using Distri.Core.FileTree;
using Distri.Core.SquashFs.Compression;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Writes a SquashFS 4.0 image of a <see cref="SourceDirectory"/> tree. The same tree and options always give the
/// same bytes. File content is streamed (memory stays bounded whatever the file sizes) and data blocks are
/// compressed on <see cref="SquashFsWriterOptions.MaxParallelism"/> threads.
/// </summary>
/// <remarks>
/// Layout: superblock, data and fragment blocks, inode table, directory table, fragment table, export table,
/// id table, xattr table, padding to 4 KiB - the order the kernel's bounds checks expect.
/// </remarks>
public sealed partial class SquashFsWriter
{
    private const int PadTo = 4096;

    private readonly SquashFsWriterOptions _options;
    private readonly ImageOutput _output;
    private readonly IBlockCompressor _metadataCompressor;
    private readonly IdTableBuilder _ids = new();
    private readonly XattrTableBuilder _xattrs;
    private FragmentPacker? _fragments;

    private SquashFsWriter(Stream output, SquashFsWriterOptions options, IBlockCompressor metadataCompressor)
    {
        _options = options;
        _output = new ImageOutput(output);
        _metadataCompressor = metadataCompressor;
        _xattrs = new XattrTableBuilder(metadataCompressor);
    }

    /// <summary>Writes the image of <paramref name="root"/> to <paramref name="output"/>, which must be seekable.</summary>
    /// <exception cref="SquashFsException">The tree cannot be represented (<see cref="SquashFsError.InvalidInput"/>).</exception>
    /// <exception cref="IOException">A source file cannot be read or is shorter than its recorded length.</exception>
    public static void Write(SourceDirectory root, Stream output, SquashFsWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new SquashFsWriterOptions();
        options.Validate();
        using var metadataCompressor = options.Codec.CreateCompressor(options.CompressionLevel);
        new SquashFsWriter(output, options, metadataCompressor).Run(root);
    }

    /// <summary>Writes the image to <paramref name="path"/> via a temporary file renamed into place when complete.</summary>
    public static void WriteFile(SourceDirectory root, string path, SquashFsWriterOptions? options = null)
    {
        string temporary = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                Write(root, stream, options);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private void Run(SourceDirectory root)
    {
        var tree = TreePreparer.Prepare(root, _ids, _xattrs, _options.BlockSize);
        _output.Write(new byte[SquashFsLayout.SuperblockSize]); // placeholder, rewritten last

        int fragmentCount = WriteData(tree);

        var inodes = new MetadataWriter(_metadataCompressor);
        var directories = new MetadataWriter(_metadataCompressor);
        WriteDirectory(tree.Root, inodes, directories);
        inodes.Finish();
        directories.Finish();

        var superblock = new Superblock
        {
            InodeCount = (uint)tree.ByInodeNumber.Length,
            ModificationTime = _options.ResolveModificationTime(),
            BlockSize = (uint)_options.BlockSize,
            FragmentEntryCount = (uint)fragmentCount,
            Compression = _options.Codec.Id,
            BlockLog = (ushort)int.Log2(_options.BlockSize),
            Flags = Flags(),
            IdCount = (ushort)_ids.Ids.Count,
            RootInodeRef = tree.Root.InodeReference,
        };
        superblock.InodeTableStart = (ulong)_output.Position;
        inodes.CopyTo(_output);
        superblock.DirectoryTableStart = (ulong)_output.Position;
        directories.CopyTo(_output);
        WriteLookupTables(tree, ref superblock);

        superblock.BytesUsed = (ulong)_output.Position;
        int padding = (int)((PadTo - (_output.Position % PadTo)) % PadTo);
        _output.Write(new byte[padding]);
        Span<byte> header = stackalloc byte[SquashFsLayout.SuperblockSize];
        superblock.Write(header);
        _output.WriteAt(0, header);
        _output.Flush();
    }

    /// <summary>Streams all file content; returns the number of fragment blocks.</summary>
    private int WriteData(PreparedTree tree)
    {
        using var pipeline = new DataBlockPipeline(_output, _options);
        var fragments = _options.Fragments ? new FragmentPacker(pipeline, _options.BlockSize) : null;
        _fragments = fragments;
        new FileDataWriter(pipeline, fragments, _options.BlockSize, _options.Deduplicate).Write(tree.Files);
        return fragments?.Count ?? 0;
    }

    /// <summary>Post-order: every child's inode before the listing that points at it, the listing before its inode.</summary>
    private static void WriteDirectory(PreparedNode directory, MetadataWriter inodes, MetadataWriter directories)
    {
        foreach (var entry in directory.Entries)
        {
            var child = entry.Node;
            if (child.InodeWritten)
            {
                continue; // a hard link to an inode written under an earlier name
            }

            switch (child.Kind)
            {
                case FileKind.Directory:
                    WriteDirectory(child, inodes, directories);
                    break;
                case FileKind.File:
                    InodeEncoder.WriteFile(inodes, child);
                    break;
                case FileKind.Symlink:
                    InodeEncoder.WriteSymlink(inodes, child);
                    break;
                default:
                    InodeEncoder.WriteSpecial(inodes, child);
                    break;
            }
        }

        var listing = DirectoryTableWriter.Write(directories, directory.Entries);
        InodeEncoder.WriteDirectory(inodes, directory, listing);
    }

    private ushort Flags()
    {
        ushort flags = 0;
        if (_options.Compression == CompressionId.None)
        {
            flags |= SquashFsLayout.FlagUncompressedInodes | SquashFsLayout.FlagUncompressedData
                | SquashFsLayout.FlagUncompressedFragments | SquashFsLayout.FlagUncompressedXattrs
                | SquashFsLayout.FlagUncompressedIds;
        }

        if (!_options.Fragments)
        {
            flags |= SquashFsLayout.FlagNoFragments;
        }

        if (_options.Deduplicate)
        {
            flags |= SquashFsLayout.FlagDuplicates;
        }

        if (_options.ExportTable)
        {
            flags |= SquashFsLayout.FlagExportable;
        }

        if (_xattrs.Entries.Count == 0)
        {
            flags |= SquashFsLayout.FlagNoXattrs;
        }

        return flags;
    }
}
