using System.Text;
using Distri.Core.Interop;
using Distri.Core.SquashFs.Format;

namespace Distri.Core.FileTree;

/// <summary>
/// Reads a directory on disk into a <see cref="SourceDirectory"/> tree: lstat only (symlinks are packed as symlinks,
/// never followed), hard links found by (device, inode), xattrs of the namespaces SquashFS can hold.
/// File contents are not read here; the writer opens each file when it packs it.
/// </summary>
public static class DirectoryScanner
{
    private static readonly string[] PackedXattrPrefixes = ["user.", "trusted.", "security."];

    /// <summary>Scans <paramref name="path"/>, which must be a directory; its own attributes become the root's.</summary>
    /// <exception cref="IOException">An entry cannot be stat'ed or read, or the path is not a directory.</exception>
    public static SourceDirectory Scan(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var status = LinuxFiles.LStat(path);
        if (InodeTypeExtensions.FromMode(status.Mode) != FileKind.Directory)
        {
            throw new IOException($"{path} is not a directory");
        }

        var scan = new ScanState();
        var root = new SourceDirectory();
        Apply(root, status, path);
        scan.Fill(root, path);
        return root;
    }

    private static void Apply(SourceNode node, LinuxFileStatus status, string path)
    {
        node.Permissions = (ushort)(status.Mode & 0xFFF);
        node.Uid = status.Uid;
        node.Gid = status.Gid;
        node.ModificationTime = status.ModificationTimeSeconds;
        foreach (string name in LinuxFiles.ListXattrs(path))
        {
            if (!PackedXattrPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            {
                continue; // system.* (ACLs) and others have no SquashFS encoding
            }

            byte[]? value = LinuxFiles.GetXattr(path, name);
            if (value is not null)
            {
                node.Xattrs.Add(new SourceXattr(name, value));
            }
        }
    }

    private sealed class ScanState
    {
        private readonly Dictionary<(uint Major, uint Minor, ulong Inode), SourceNode> _linked = [];

        public void Fill(SourceDirectory directory, string path)
        {
            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateFileSystemEntries(path).ToList();
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new IOException($"cannot read directory {path}: {e.Message}", e);
            }

            foreach (string childPath in children)
            {
                byte[] name = Encoding.UTF8.GetBytes(Path.GetFileName(childPath));
                directory.Add(name, ScanEntry(childPath));
            }
        }

        private SourceNode ScanEntry(string path)
        {
            var status = LinuxFiles.LStat(path);
            var kind = InodeTypeExtensions.FromMode(status.Mode)
                ?? throw new IOException($"{path} has an unknown file type (mode {status.Mode:o})");
            var key = (status.DeviceMajor, status.DeviceMinor, status.Inode);
            if (kind != FileKind.Directory && status.LinkCount > 1 && _linked.TryGetValue(key, out var existing))
            {
                return existing;
            }

            SourceNode node = kind switch
            {
                FileKind.Directory => new SourceDirectory(),
                FileKind.File => OpenableFile(path, status.Size),
                FileKind.Symlink => new SourceSymlink(LinuxFiles.ReadLinkBytes(path)),
                FileKind.CharDevice or FileKind.BlockDevice => new SourceDevice(kind, status.RdevMajor, status.RdevMinor),
                _ => new SourceSpecialFile(kind),
            };
            Apply(node, status, path);
            if (node is SourceDirectory directory)
            {
                Fill(directory, path);
            }
            else if (status.LinkCount > 1)
            {
                _linked[key] = node;
            }

            return node;
        }

        private static SourceFile OpenableFile(string path, long size)
        {
            // Fail now, with the path, rather than halfway through writing an image.
            LinuxFiles.CheckReadable(path);
            return SourceFile.FromPath(path, size);
        }
    }
}
