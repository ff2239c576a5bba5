namespace Distri.Core.SquashFs;

/// <summary>Why an image could not be read or written.</summary>
public enum SquashFsError
{
    /// <summary>The image ends before a structure it points at.</summary>
    Truncated,
    /// <summary>The superblock is not a valid SquashFS 4.0 superblock.</summary>
    BadSuperblock,
    /// <summary>A table, inode, directory or xattr record is inconsistent.</summary>
    CorruptMetadata,
    /// <summary>A compressed block does not decompress to what the image says.</summary>
    CorruptData,
    /// <summary>The image uses a compressor this build cannot decode (lzo, lzma).</summary>
    UnsupportedCompressor,
    /// <summary>A path does not exist in the image.</summary>
    NotFound,
    /// <summary>A path names an entry of the wrong type (e.g. read of a directory).</summary>
    WrongType,
    /// <summary>The input given to the writer cannot be represented (name too long, bad entry).</summary>
    InvalidInput,
}

/// <summary>The one exception type of the SquashFS library; <see cref="Error"/> says what went wrong.</summary>
public sealed class SquashFsException : Exception
{
    public SquashFsException(SquashFsError error, string message)
        : base(message)
    {
        Error = error;
    }

    public SquashFsException(SquashFsError error, string message, Exception inner)
        : base(message, inner)
    {
        Error = error;
    }

    public SquashFsError Error { get; }
}
