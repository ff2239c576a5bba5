using System.Security.Cryptography;
using Distri.Core.Packages;
using Distri.Core.Repository;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Distrid.Repository;

/// <summary>
/// The image being downloaded: a hidden temporary file in the target directory (named so that no
/// <c>*.squashfs</c> glob sees it), the sha256 of its bytes so far, and its length. Bytes are hashed as they are
/// written, so a resumed download continues the hash instead of re-reading the file. Only a complete image whose size
/// and sha256 match the index is fsynced and renamed to <c>&lt;fullname&gt;.squashfs</c> (after its
/// <c>.meta.json</c>, so that an image in the store always has its metadata); otherwise Dispose deletes it. The
/// directory entries become durable with the caller's one directory fsync after all images of a download
/// (<see cref="AtomicFile.SyncDirectory"/>), not one per image: nothing names an image before the generation commit
/// that follows, so a crash before that fsync loses only a download, never a committed state.
/// </summary>
internal sealed class PartialImage : IDisposable
{
    /// <summary>Written bytes are handed to the disk's write-back every this many bytes while the download runs.</summary>
    private const long WriteBackInterval = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly PackageMetadata _package;
    private readonly string _tempPath;
    private readonly string _finalPath;
    private readonly string _metadataPath;
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _committed;
    private long _writtenBack;

    public PartialImage(string targetDirectory, PackageMetadata package)
    {
        _package = package;
        _finalPath = Path.Combine(targetDirectory, package.FullName + PackageMetadata.ImageExtension);
        _metadataPath = Path.Combine(targetDirectory, package.FullName + PackageMetadata.MetadataExtension);
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
        if (Length - _writtenBack >= WriteBackInterval)
        {
            StartWriteBack();
        }
    }

    /// <summary>
    /// Starts writing the bytes since the last call to disk, without waiting for them: the fsync before the rename then
    /// finds little left to write, instead of a whole image's dirty pages after its last byte arrived (on a link, all
    /// images of a parallel download end close together, and their fsyncs would queue there). Advisory: an error here
    /// only leaves the work to that fsync.
    /// </summary>
    private void StartWriteBack()
    {
        bool added = false;
        try
        {
            _file.DangerousAddRef(ref added);
            _ = LibC.sync_file_range((int)_file.DangerousGetHandle(), _writtenBack, Length - _writtenBack, (uint)LibC.SYNC_FILE_RANGE_WRITE);
        }
        finally
        {
            if (added)
            {
                _file.DangerousRelease();
            }
        }

        _writtenBack = Length;
    }

    /// <summary>Forgets everything written (bad data, or a server that ignored a Range request).</summary>
    public void Reset()
    {
        RandomAccess.SetLength(_file, 0);
        _writtenBack = 0;
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

    /// <summary>
    /// Writes the metadata beside the image (fsynced, renamed), then makes the verified image's bytes durable and
    /// renames it to its final name. The directory fsync is the caller's, once for all images.
    /// </summary>
    public void Commit()
    {
        PackageBuilder.WriteMetadata(_package, _metadataPath);
        RandomAccess.FlushToDisk(_file);
        _file.Dispose();
        File.Move(_tempPath, _finalPath, overwrite: true);
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
