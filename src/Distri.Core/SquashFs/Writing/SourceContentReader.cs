using Distri.Core.FileTree;
using Microsoft.Win32.SafeHandles;

namespace Distri.Core.SquashFs.Writing;

/// <summary>
/// Reads one file's content front to back into caller buffers: positional reads on a file handle for files on disk
/// (no managed buffering in between), or a stream for other sources. Fails if the content is shorter than declared.
/// </summary>
internal sealed class SourceContentReader : IDisposable
{
    private readonly SourceFile _file;
    private readonly string _name;
    private readonly SafeFileHandle? _handle;
    private readonly Stream? _stream;
    private long _offset;

    public SourceContentReader(SourceFile file, string name)
    {
        _file = file;
        _name = name;
        try
        {
            if (file.ContentPath is string path)
            {
                _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            }
            else
            {
                _stream = file.OpenContent();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read {name}: {e.Message}", e);
        }
    }

    public void ReadExactly(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            int n;
            try
            {
                n = _handle is not null ? RandomAccess.Read(_handle, destination, _offset) : _stream!.Read(destination);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot read {_name}: {e.Message}", e);
            }

            if (n == 0)
            {
                throw new IOException($"{_name} ended after {_offset} of its {_file.Length} bytes (did it change while packing?)");
            }

            _offset += n;
            destination = destination[n..];
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _stream?.Dispose();
    }
}
