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
                    _warnings.Add($"xattr {xattr.Name} not restored: {e.Message}");
                }
            }
        }

        PosixFiles.SetTimes(cpath, inode.ModificationTime);
    }
}
