using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading;
using Distri.Core.SquashFs.Reading.Directories;
using Distri.Core.SquashFs.Reading.Inodes;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Distri.Core.SquashFs.Unpacking;

/// <summary>
/// Writes an image's tree below a fresh directory. The walk is iterative (an explicit stack, never recursion over the
/// tree), refuses a directory reached twice (a cycle in a hostile image), and only builds paths from names that
/// passed <see cref="SquashFsNames.IsValidEntryName"/>, below directories it created itself, so nothing can be
/// written outside the target.
/// </summary>
internal sealed partial class TreeWriter(SquashFsImage image, UnpackOptions options, byte[] root)
{
    private const int CopyBufferSize = 1 << 20;

    private readonly bool _restoreOwners = options.RestoreOwners ?? LibC.geteuid() == 0;
    private readonly Dictionary<uint, byte[]> _linkTargets = [];
    private readonly List<string> _warnings = [];
    private long _files;
    private long _directories;
    private long _symlinks;
    private long _special;
    private long _hardLinks;
    private long _bytes;

    public UnpackResult Run()
    {
        var pending = new Stack<(byte[] Path, ulong InodeRef)>();
        var visited = new HashSet<ulong> { image.RootInodeRef };

        // Directory attributes are restored last, children before parents, so that creating entries does not
        // disturb a directory's restored mtime and a read-only directory does not block its own content.
        var directories = new List<(byte[] Path, InodeAttributes Inode)> { (root, image.Root) };
        pending.Push((root, image.RootInodeRef));
        using var contents = new FileContentWriters(Environment.ProcessorCount, CopyBufferSize, WriteContents);
        {
            while (pending.TryPop(out (byte[] Path, ulong InodeRef) directory))
            {
                foreach (NamedDirectoryEntry entry in image.ListDirectory(directory.InodeRef))
                {
                    if (!SquashFsNames.IsValidEntryName(entry.NameBytes))
                    {
                        throw new SquashFsException(SquashFsError.CorruptMetadata, "directory entry has an unsafe name");
                    }

                    byte[] path = Join(directory.Path, entry.NameBytes);
                    InodeAttributes child = image.GetInode(entry.Entry.InodeRef);
                    if (child.Kind == FileKind.Directory)
                    {
                        if (!visited.Add(child.InodeRef))
                        {
                            throw new SquashFsException(SquashFsError.CorruptMetadata, "directory appears twice in the tree (cycle)");
                        }

                        PosixFiles.MakeDirectory(PosixFiles.CString(path), 0x1C0);
                        directories.Add((path, child));
                        pending.Push((path, child.InodeRef));
                        _directories++;
                    }
                    else
                    {
                        CreateNonDirectory(path, child, contents);
                    }
                }
            }

            contents.Complete();
        }

        for (int i = directories.Count - 1; i >= 0; i--)
        {
            RestoreAttributes(PosixFiles.CString(directories[i].Path), directories[i].Inode);
        }

        return new UnpackResult
        {
            Files = _files,
            Directories = _directories,
            Symlinks = _symlinks,
            SpecialFiles = _special,
            HardLinks = _hardLinks,
            BytesWritten = _bytes,
            Warnings = _warnings,
        };
    }

    private void CreateNonDirectory(byte[] path, InodeAttributes inode, FileContentWriters contents)
    {
        byte[] cpath = PosixFiles.CString(path);
        if (inode.LinkCount > 1 && _linkTargets.TryGetValue(inode.InodeNumber, out byte[]? existing))
        {
            PosixFiles.MakeHardLink(existing, cpath);
            _hardLinks++;
            return;
        }

        switch (inode.Kind)
        {
            case FileKind.File:
                // Created here (so hard links to it can follow at once), written and given its attributes by a worker.
                int fd = CreateFile(cpath);
                try
                {
                    contents.Add(new FileJob(fd, cpath, inode));
                }
                catch
                {
                    _ = LibC.close(fd);
                    throw;
                }

                _files++;
                if (inode.LinkCount > 1)
                {
                    _linkTargets[inode.InodeNumber] = cpath;
                }

                return;
            case FileKind.Symlink:
                PosixFiles.MakeSymlink(PosixFiles.CString(image.ReadLink(inode.InodeRef)), cpath);
                _symlinks++;
                break;
            case FileKind.BlockDevice or FileKind.CharDevice:
                if (!TryMakeNode(cpath, inode, Makedev(inode.RdevMajor, inode.RdevMinor)))
                {
                    return;
                }

                break;
            default:
                if (!TryMakeNode(cpath, inode, 0))
                {
                    return;
                }

                break;
        }

        RestoreAttributes(cpath, inode);
        if (inode.LinkCount > 1)
        {
            _linkTargets[inode.InodeNumber] = cpath;
        }
    }

    private bool TryMakeNode(byte[] cpath, in InodeAttributes inode, ulong device)
    {
        try
        {
            PosixFiles.MakeNode(cpath, inode.Mode & 0xF000 | 0x180, device);
            _special++;
            return true;
        }
        catch (IOException e) when (inode.Kind is FileKind.BlockDevice or FileKind.CharDevice && LibC.geteuid() != 0)
        {
            Warn($"device node not created (not root): {e.Message}");
            return false;
        }
    }

    private static unsafe int CreateFile(byte[] cpath)
    {
        int fd;
        fixed (byte* p = cpath)
        {
            fd = LibC.open(p, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, (mode_t)0x180);
        }

        return fd >= 0
            ? fd
            : throw new IOException($"cannot create {System.Text.Encoding.UTF8.GetString(cpath.AsSpan(0, cpath.Length - 1))}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    /// <summary>On a worker: the file's bytes in chunks of whole blocks (all-zero stretches left as holes, as
    /// unsquashfs does for sparse files), then its attributes through the open descriptor.</summary>
    private void WriteContents(FileJob job, byte[] buffer)
    {
        using var handle = new SafeFileHandle(job.Descriptor, ownsHandle: true);
        var inode = job.Inode;
        long size = (long)inode.Size;
        long end = 0;
        long written = 0;
        for (long offset = 0; offset < size;)
        {
            int read = image.Read(inode, offset, buffer);
            ReadOnlySpan<byte> chunk = buffer.AsSpan(0, read);
            if (chunk.ContainsAnyExcept((byte)0))
            {
                RandomAccess.Write(handle, chunk, offset);
                written += read;
                end = offset + read;
            }

            offset += read;
        }

        if (end != size)
        {
            RandomAccess.SetLength(handle, size);
        }

        Interlocked.Add(ref _bytes, written);
        RestoreAttributes(job.Descriptor, job.CPath, inode);
    }

    /// <summary>Warnings come from the walk and from the workers.</summary>
    private void Warn(string warning)
    {
        lock (_warnings)
        {
            _warnings.Add(warning);
        }
    }

    private static ulong Makedev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);

    private static byte[] Join(byte[] directory, byte[] name)
    {
        byte[] path = new byte[directory.Length + 1 + name.Length];
        directory.CopyTo(path, 0);
        path[directory.Length] = (byte)'/';
        name.CopyTo(path, directory.Length + 1);
        return path;
    }
}
