using System.Security.Cryptography;
using Distri.Core.Packages;
using Distri.Core.Repository;
using Microsoft.Win32.SafeHandles;

namespace Distrid.Repository;

/// <summary>
/// The image being downloaded: a hidden temporary file in the target directory (named so that no
/// <c>*.squashfs</c> glob sees it), the sha256 of its bytes so far, and its length. Bytes are hashed as they are
/// written, so a resumed download continues the hash instead of re-reading the file. Only a complete image whose size
/// and sha256 match the index is fsynced and renamed to <c>&lt;fullname&gt;.squashfs</c>; otherwise Dispose deletes it.
/// </summary>
internal sealed class PartialImage : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly PackageMetadata _package;
    private readonly string _tempPath;
    private readonly string _finalPath;
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _committed;

    public PartialImage(string targetDirectory, PackageMetadata package)
    {
        _package = package;
        _finalPath = Path.Combine(targetDirectory, package.FullName + PackageMetadata.ImageExtension);
        _tempPath = Path.Combine(targetDirectory, $".{package.FullName}.download");

        // FileMode.Create truncates a leftover of a crashed run; FileShare.None (an exclusive lock) keeps two
        // downloads of the same package into one directory from interleaving.
        _file = File.OpenHandle(_tempPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
    }

    public long Length { get; private set; }

    public long ExpectedSize => _package.Size;

    public string FullName => _package.FullName;

    /// <summary>Appends bytes that follow the current end; refuses bytes beyond the size in the index.</summary>
    public void Append(ReadOnlySpan<byte> data, string source)
    {
        if (Length + data.Length > _package.Size)
        {
            throw new MirrorFailure(FailureKind.Permanent, $"{source}: the server sent more than the {_package.Size} bytes the index announces");
        }

        RandomAccess.Write(_file, data, Length);
        _hash.AppendData(data);
        Length += data.Length;
    }

    /// <summary>Forgets everything written (bad data, or a server that ignored a Range request).</summary>
    public void Reset()
    {
        RandomAccess.SetLength(_file, 0);
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Length = 0;
    }

    /// <summary>Checks size and sha256 of the complete image; a mismatch resets it and throws a permanent failure.</summary>
    public void Verify()
    {
        if (Length != _package.Size)
        {
            long got = Length;
            Reset();
            throw new MirrorFailure(FailureKind.Permanent, $"truncated: got {got} of {_package.Size} bytes");
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        _hash.GetHashAndReset(digest);
        string actual = Convert.ToHexStringLower(digest);
        if (!string.Equals(actual, _package.Sha256, StringComparison.Ordinal))
        {
            Reset();
            throw new MirrorFailure(FailureKind.Permanent, $"sha256 mismatch (expected {_package.Sha256}, got {actual})");
        }
    }

    /// <summary>Makes the verified image durable and visible under its final name.</summary>
    public void Commit()
    {
        RandomAccess.FlushToDisk(_file);
        _file.Dispose();
        AtomicFile.CommitRename(_tempPath, _finalPath);
        _committed = true;
    }

    public void Dispose()
    {
        _hash.Dispose();
        _file.Dispose();
        if (!_committed)
        {
            File.Delete(_tempPath);
        }
    }
}
