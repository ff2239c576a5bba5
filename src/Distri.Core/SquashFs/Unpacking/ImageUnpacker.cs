using Distri.Core.SquashFs.Reading;

namespace Distri.Core.SquashFs.Unpacking;

/// <summary>
/// Unpacks an image into a directory, like <c>unsquashfs -d</c>: file types, contents (holes kept sparse), modes
/// including setuid and sticky bits, owners (as root), mtimes, symlinks, devices, fifos, sockets, hard links and
/// xattrs. The tree is built in a temporary sibling directory that is renamed into place only when complete, so a
/// failure leaves nothing half-written.
/// </summary>
public static class ImageUnpacker
{
    /// <exception cref="IOException">The target exists and is not an empty directory, or a file operation failed.</exception>
    /// <exception cref="SquashFsException">The image is corrupt (nothing is left behind).</exception>
    public static UnpackResult Unpack(SquashFsImage image, string targetDirectory, UnpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        options ??= new UnpackOptions();

        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
        {
            throw new IOException($"{target} exists and is not an empty directory");
        }

        string parent = Path.GetDirectoryName(target) ?? throw new IOException("cannot unpack into the root directory");
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.unpack-{Guid.NewGuid():N}");
        PosixFiles.MakeDirectory(PosixFiles.CString(staging), 0x1C0 /* 0700 until its attributes are restored */);
        try
        {
            var writer = new TreeWriter(image, options, System.Text.Encoding.UTF8.GetBytes(staging));
            UnpackResult result = writer.Run();
            if (Directory.Exists(target))
            {
                Directory.Delete(target);
            }

            Directory.Move(staging, target);
            return result;
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    private static void TryDelete(string staging)
    {
        try
        {
            if (Directory.Exists(staging))
            {
                // Restored modes (e.g. 0500 directories) do not stop root, and staging only holds what we created.
                Directory.Delete(staging, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
