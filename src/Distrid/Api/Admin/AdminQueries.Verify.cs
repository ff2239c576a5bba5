using Distri.Core.Packages;
using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Reading;
using Distri.Core.Text;
using Distrid.Protocol;
using Distrid.Store;
using Distrid.Transactions;

namespace Distrid.Api.Admin;

/// <summary><c>verify</c>: every store image against the sha256 it was installed with, and its SquashFS structure.</summary>
internal sealed partial class AdminQueries
{
    /// <summary>
    /// Checks the images <paramref name="packages"/> name (name, name-arch or full name; every revision in the store
    /// of a name), or every image in the store. Each image is re-hashed and then walked with the reader (every
    /// directory, inode, symlink and data block), in a file handle of its own: /ro keeps serving meanwhile, and a
    /// damaged image only yields a line that says what is wrong and how to repair it.
    /// </summary>
    public async Task<IReadOnlyList<VerifyInfo>> VerifyAsync(IReadOnlyList<string>? packages, CancellationToken cancellationToken)
    {
        var stored = _store.Scan();
        var chosen = packages is null || packages.Count == 0 ? stored : Select(stored, packages);
        var installed = CurrentPackages.ToHashSet(StringComparer.Ordinal);
        var results = new List<VerifyInfo>(chosen.Count);
        foreach (var package in chosen)
        {
            string? problem = await Task.Run(() => Check(package, cancellationToken), cancellationToken);
            bool isInstalled = installed.Contains(package.FullName);
            results.Add(new VerifyInfo
            {
                FullName = package.FullName,
                Ok = problem is null,
                Installed = isInstalled,
                Problem = problem,
                Fix = problem is null ? null : isInstalled
                    ? $"districtl install --reinstall {package.FullName}"
                    : $"districtl install --reinstall {package.FullName} (or 'districtl gc' if no kept generation needs it)",
            });
        }

        return results;
    }

    private static List<StoredPackage> Select(IReadOnlyList<StoredPackage> stored, IReadOnlyList<string> specs)
    {
        var chosen = new List<StoredPackage>();
        foreach (string spec in specs)
        {
            var (name, arch) = PackageCatalog.SplitArch(spec);
            var matches = stored.Where(p => p.FullName == spec || (p.Name.Name == name && (arch is null || p.Name.Arch == arch))).ToList();
            if (matches.Count == 0)
            {
                throw new TransactionException(TransactionError.NotFound, $"no image of '{EchoText.Cap(spec)}' in the store");
            }

            chosen.AddRange(matches.Where(m => !chosen.Contains(m)));
        }

        return chosen;
    }

    /// <summary>Null when the image is sound; else what is wrong, in one line.</summary>
    private static string? Check(StoredPackage package, CancellationToken cancellationToken)
    {
        string? expected = package.Metadata?.Sha256;
        if (string.IsNullOrEmpty(expected))
        {
            return $"no recorded sha256 ({package.FullName}{PackageMetadata.MetadataExtension} is missing or unreadable)";
        }

        try
        {
            string actual = PackageBuilder.Sha256File(package.ImagePath);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                return $"sha256 {actual} differs from {expected}, recorded when it was installed";
            }

            using var image = SquashFsImage.Open(package.ImagePath);
            ImageScanner.Scan(image, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is SquashFsException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return "unreadable SquashFS: " + EchoText.OneLine(e.Message);
        }
    }
}
