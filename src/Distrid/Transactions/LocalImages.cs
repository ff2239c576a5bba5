using System.Text.Json;
using Distri.Core.Packages;
using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Reading;
using Distri.Core.Text;
using Distrid.Transactions.Operations;

namespace Distrid.Transactions;

/// <summary>
/// Install arguments that name image files rather than packages: <c>./zsh-amd64-5.9-3.squashfs</c>. The file
/// name gives the full name; a <c>.meta.json</c> beside it gives summary and dependencies. The image must open as
/// SquashFS before anything is copied.
/// </summary>
internal static class LocalImages
{
    public static bool IsImagePath(string spec) => spec.EndsWith(PackageMetadata.ImageExtension, StringComparison.Ordinal) && spec.Contains('/');

    public static LocalImage Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new TransactionException(TransactionError.NotFound, $"{EchoText.Cap(path)}: no such file");
        }

        string fullName = Path.GetFileName(path)[..^PackageMetadata.ImageExtension.Length];
        if (!PackageName.TryParse(fullName, out _, out string? error))
        {
            throw new TransactionException(TransactionError.InvalidRequest, $"{EchoText.Cap(path)}: the file name must be <fullname>.squashfs: {error}");
        }

        try
        {
            using var image = SquashFsImage.Open(path);
        }
        catch (SquashFsException e)
        {
            throw new TransactionException(TransactionError.InvalidRequest, $"{EchoText.Cap(path)}: not a usable image: {e.Message}", e);
        }

        string metaPath = Path.Combine(Path.GetDirectoryName(path)!, fullName + PackageMetadata.MetadataExtension);
        PackageMetadata? sidecar = null;
        if (File.Exists(metaPath))
        {
            using var stream = File.OpenRead(metaPath);
            sidecar = JsonSerializer.Deserialize(stream, PackageMetadataJsonContext.Default.PackageMetadata);
        }

        var metadata = new PackageMetadata
        {
            FullName = fullName,
            Summary = sidecar?.Summary ?? "",
            Dependencies = sidecar?.Dependencies ?? [],
            Size = new FileInfo(path).Length,
            Sha256 = PackageBuilder.Sha256File(path),
        };
        return new LocalImage(path, metadata);
    }
}
