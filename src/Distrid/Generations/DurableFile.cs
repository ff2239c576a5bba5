using Tmds.Linux;

namespace Distrid.Generations;

/// <summary>
/// Writes that survive a crash at any instant: content to a temporary name, fsync, rename over the final name,
/// fsync of the directory. A reader sees the old file or the new one, never a torn one.
/// </summary>
internal static class DurableFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        WriteTemporary(path, content);
        Publish(path);
    }

    /// <summary>
    /// The first half of <see cref="Write"/>: the content, durable, under <paramref name="path"/>'s temporary name
    /// (which every reader and recovery ignores or removes). <see cref="Publish"/> is the second.
    /// </summary>
    public static void WriteTemporary(string path, ReadOnlySpan<byte> content)
    {
        using var handle = File.OpenHandle(TemporaryName(path), FileMode.Create, FileAccess.Write);
        RandomAccess.Write(handle, content, 0);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>The second half of <see cref="Write"/>: the temporary file renamed over <paramref name="path"/>, durably.</summary>
    public static void Publish(string path)
    {
        File.Move(TemporaryName(path), path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>Atomically points the symlink <paramref name="link"/> at <paramref name="target"/> (rename(2) of a new link).</summary>
    public static void ReplaceSymlink(string link, string target)
    {
        string temporary = TemporaryName(link);
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, target);
        File.Move(temporary, link, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(link)!);
    }

    /// <summary>Makes the directory's entries (renames, creates) durable.</summary>
    public static unsafe void SyncDirectory(string directory)
    {
        // .NET will not open a directory as a file handle, so this one goes to libc directly.
        byte[] path = System.Text.Encoding.UTF8.GetBytes(directory + "\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = LibC.open(p, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        }

        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to sync it");
        }

        int rc = LibC.fsync(fd);
        LibC.close(fd);
        if (rc != 0)
        {
            throw new IOException($"fsync of directory {directory} failed");
        }
    }

    /// <summary>Temporary names start with '.' and end in ".tmp", so no scan ever mistakes them for real files.</summary>
    public static string TemporaryName(string path) => Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
}
