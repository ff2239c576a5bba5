namespace Distri.Core.SquashFs.Writing;

/// <summary>The image being written: a seekable stream plus the position relative to the image's first byte.</summary>
internal sealed class ImageOutput
{
    private readonly Stream _stream;
    private readonly long _origin;

    public ImageOutput(Stream stream)
    {
        if (!stream.CanWrite || !stream.CanSeek)
        {
            throw new ArgumentException("the image stream must be writable and seekable", nameof(stream));
        }

        _stream = stream;
        _origin = stream.Position;
    }

    /// <summary>Bytes written since the image's start.</summary>
    public long Position { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        _stream.Write(data);
        Position += data.Length;
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="position"/> without moving the append position.</summary>
    public void WriteAt(long position, ReadOnlySpan<byte> data)
    {
        _stream.Position = _origin + position;
        _stream.Write(data);
        _stream.Position = _origin + Position;
    }

    public void Flush() => _stream.Flush();
}
