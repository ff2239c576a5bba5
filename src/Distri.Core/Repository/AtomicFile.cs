using static Tmds.Linux.LibC;

namespace Distri.Core.Repository;

/// <summary>
/// Durable replace-by-rename: write a temporary file beside the target, fsync it, rename it over the target, fsync the
/// directory. A crash leaves the old or the new file, never a torn one.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        string fullPath = Path.GetFullPath(path);
        string temp = TempPathFor(fullPath);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            CommitRename(temp, fullPath);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Renames a fully written and fsynced <paramref name="tempPath"/> to <paramref name="path"/> and syncs the directory.</summary>
    public static void CommitRename(string tempPath, string path)
    {
        File.Move(tempPath, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>fsync of a directory makes a rename or a new entry in it durable.</summary>
    public static unsafe void SyncDirectory(string directory)
    {
        int fd;
        fixed (byte* name = System.Text.Encoding.UTF8.GetBytes(directory + "\0"))
        {
            fd = open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }

        if (fd < 0)
        {
            throw new IOException($"{directory}: cannot open to sync (errno {errno})");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"{directory}: fsync failed (errno {errno})");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>A hidden temporary name in the same directory (so that rename is atomic) that no glob for the target matches.</summary>
    public static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
}
