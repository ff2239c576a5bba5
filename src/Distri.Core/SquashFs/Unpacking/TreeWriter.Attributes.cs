using Distri.Core.SquashFs.Format;
using Distri.Core.SquashFs.Reading.Inodes;
using Distri.Core.SquashFs.Reading.Xattrs;

namespace Distri.Core.SquashFs.Unpacking;

internal sealed partial class TreeWriter
{
    /// <summary>Owner first (chown clears setuid/setgid), then mode, xattrs, and the mtime last.</summary>
    private void RestoreAttributes(byte[] cpath, in InodeAttributes inode)
    {
        if (_restoreOwners)
        {
            PosixFiles.ChangeOwner(cpath, inode.Uid, inode.Gid);
        }

        if (inode.Kind != FileKind.Symlink)
        {
            PosixFiles.ChangeMode(cpath, inode.Mode & 0xFFF);
        }

        if (options.RestoreXattrs && inode.HasXattrs)
        {
            foreach (SquashFsXattr xattr in image.GetXattrs(inode.InodeRef))
            {
                try
                {
                    PosixFiles.SetXattr(cpath, xattr.Name, xattr.Value);
                }
                catch (IOException e)
                {
                    Warn($"xattr {xattr.Name} not restored: {e.Message}");
                }
            }
        }

        PosixFiles.SetTimes(cpath, inode.ModificationTime);
    }

    /// <summary>The same for a regular file, through its open descriptor: no path lookups (called on workers).</summary>
    private void RestoreAttributes(int fd, byte[] cpath, in InodeAttributes inode)
    {
        if (_restoreOwners)
        {
            PosixFiles.ChangeOwner(fd, cpath, inode.Uid, inode.Gid);
        }

        PosixFiles.ChangeMode(fd, cpath, inode.Mode & 0xFFF);
        if (options.RestoreXattrs && inode.HasXattrs)
        {
            foreach (SquashFsXattr xattr in image.GetXattrs(inode.InodeRef))
            {
                try
                {
                    PosixFiles.SetXattr(fd, cpath, xattr.Name, xattr.Value);
                }
                catch (IOException e)
                {
                    Warn($"xattr {xattr.Name} not restored: {e.Message}");
                }
            }
        }

        PosixFiles.SetTimes(fd, cpath, inode.ModificationTime);
    }
}
