using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Distri.Core.SquashFs.Reading.Sources;

/// <summary>An image file read with pread (<see cref="RandomAccess"/>), which keeps no file position and so is safe
/// for concurrent readers.</summary>
public sealed class FileBlockSource : IBlockSource
{
    private readonly SafeFileHandle _handle;
    private readonly bool _ownsHandle;

    public FileBlockSource(SafeFileHandle handle, bool ownsHandle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _handle = handle;
        _ownsHandle = ownsHandle;
        Length = RandomAccess.GetLength(handle);
    }

    public static FileBlockSource Open(string path) =>
        new(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read), ownsHandle: true);

    public long Length { get; }

    public int Read(long offset, Span<byte> destination) => RandomAccess.Read(_handle, destination, offset);

    /// <summary>posix_fadvise(WILLNEED): the kernel queues the reads and returns. Only advice, so a failure is
    /// ignored (the reads then go to the disk one by one, as without it).</summary>
    public void WillNeed(long offset, long length)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            _ = LibC.posix_fadvise((int)_handle.DangerousGetHandle(), offset, length, LibC.POSIX_FADV_WILLNEED);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public void Dispose()
    {
        if (_ownsHandle)
        {
            _handle.Dispose();
        }
    }
}
