using Microsoft.Win32.SafeHandles;

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

    public void Dispose()
    {
        if (_ownsHandle)
        {
            _handle.Dispose();
        }
    }
}
