using System.Text;
using Distri.Core.SquashFs.Format;
using Distri.Core.Text;
using Distrid.FileSystem.Exchange;
using Distrid.Protocol;
using Distrid.Transactions;

namespace Distrid.Api.Admin;

/// <summary><c>files</c> and <c>owns</c>: image contents and who provides a path under /ro.</summary>
internal sealed partial class AdminQueries
{
    /// <summary>Every path of <paramref name="package"/>'s image, with the exchange path that shows it, if any.</summary>
    public async Task<PackageFiles> FilesAsync(string package, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(true, cancellationToken);
        var name = ResolveInstalledFirst(package, catalog, CurrentPackages);
        string fullName = name.FullName;
        if (!catalog.InStore(fullName))
        {
            throw new TransactionException(TransactionError.NotFound,
                $"{fullName} is offered by a repository but its image is not in the store, and its file list is inside the image: 'districtl install {fullName}' fetches it");
        }

        bool installed = CurrentPackages.Contains(fullName);
        var exchange = _fileSystem.Current.Exchange;
        var entries = await ReadImageAsync(fullName, () =>
        {
            using var image = OpenImage(fullName);
            return ImageListing.List(image, cancellationToken);
        }, cancellationToken);
        return new PackageFiles
        {
            FullName = fullName,
            Root = UnderMountpoint(fullName),
            Installed = installed,
            Files = [.. entries.Select(e => new PackageFile
            {
                Path = e.Path,
                Kind = ImageListing.KindName(e.Kind),
                Size = e.Size,
                Target = e.Target,
                Exchange = installed && e.Kind != FileKind.Directory && Find(exchange, e.Path)?.Owner == fullName ? UnderMountpoint(e.Path) : null,
            })],
        };
    }

    /// <summary>
    /// Who provides <paramref name="path"/> (absolute under the mountpoint, or relative to it): for an exchange-directory
    /// leaf the package the current generation shows and the packages that lost a conflict for it; for a merged
    /// directory every package that has it; for <c>/ro/&lt;fullname&gt;/...</c> that package.
    /// </summary>
    public async Task<OwnerInfo> OwnsAsync(string path, CancellationToken cancellationToken)
    {
        string relative = RelativeToMountpoint(path);
        string[] parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string shown = UnderMountpoint(relative);
        if (!PackageManifest.ExchangeDirectories.Contains(parts[0]))
        {
            return await OwnsPackagePathAsync(parts, shown, cancellationToken);
        }

        var namespaceNow = _fileSystem.Current;
        var node = namespaceNow.Exchange.Roots.FirstOrDefault(r => r.Name.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(parts[0])));
        int depth = 1;
        for (; node is not null && node.IsDirectory && depth < parts.Length; depth++)
        {
            node = node.Find(Encoding.UTF8.GetBytes(parts[depth]));
        }

        if (node is null)
        {
            throw new TransactionException(TransactionError.NotFound, $"no package of the current generation provides {EchoText.Cap(shown)}");
        }

        if (node.IsDirectory)
        {
            string directory = string.Join('/', parts);
            var providers = await Task.Run(() => CurrentPackages.Where(p => HasPath(p, directory)).ToList(), cancellationToken);
            return new OwnerInfo { Path = shown, Exchange = true, Providers = providers };
        }

        // A leaf reached before the last component: the rest of the path lies inside what the leaf points to.
        string leaf = string.Join('/', parts[..depth]);
        byte[] leafBytes = Encoding.UTF8.GetBytes(leaf);
        var conflict = namespaceNow.Exchange.Conflicts.FirstOrDefault(c => Encoding.Latin1.GetBytes(c.Path).AsSpan().SequenceEqual(leafBytes));
        return new OwnerInfo
        {
            Path = shown,
            Owner = node.Owner,
            PackagePath = UnderMountpoint(node.Owner + "/" + relative),
            Exchange = true,
            Losers = conflict?.Losers ?? [],
            Reason = conflict is null ? null : "name-order",
        };
    }

    private async Task<OwnerInfo> OwnsPackagePathAsync(string[] parts, string shown, CancellationToken cancellationToken)
    {
        string fullName = parts[0];
        if (!_store.Scan().Any(p => p.FullName == fullName))
        {
            throw new TransactionException(TransactionError.NotFound,
                $"{EchoText.Cap(shown)} is neither in an exchange directory ({string.Join(", ", PackageManifest.ExchangeDirectories)}) nor in a package's directory of the store");
        }

        string inside = string.Join('/', parts[1..]);
        if (inside.Length > 0 && !await Task.Run(() => HasPath(fullName, inside), cancellationToken))
        {
            throw new TransactionException(TransactionError.NotFound, $"{EchoText.Cap(shown)} does not exist: {fullName} has no {EchoText.Cap(inside)}");
        }

        return new OwnerInfo { Path = shown, Owner = fullName, PackagePath = shown };
    }

    /// <summary>Whether <paramref name="fullName"/>'s image has <paramref name="path"/>; a damaged image has nothing.</summary>
    private bool HasPath(string fullName, string path)
    {
        try
        {
            using var image = Distri.Core.SquashFs.Reading.SquashFsImage.Open(_store.ImagePath(fullName));
            return image.TryLookupPath(path, out _);
        }
        catch (Exception e) when (e is Distri.Core.SquashFs.SquashFsException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="path"/> relative to the mountpoint: an absolute path must be under it, a relative one is taken
    /// as relative to it. No "." or ".." components; nothing is resolved through the host's file system.
    /// </summary>
    private string RelativeToMountpoint(string path)
    {
        if (path.Length > 4096 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new TransactionException(TransactionError.InvalidRequest, "owns needs a path of at most 4096 characters");
        }

        string mountpoint = _options.Mountpoint.TrimEnd('/');
        string relative = path;
        if (path.StartsWith('/'))
        {
            if (path != mountpoint && !path.StartsWith(mountpoint + "/", StringComparison.Ordinal))
            {
                throw new TransactionException(TransactionError.InvalidRequest, $"{EchoText.Cap(path)} is not under {mountpoint}");
            }

            relative = path[mountpoint.Length..];
        }

        string[] parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new TransactionException(TransactionError.InvalidRequest, $"{mountpoint} itself belongs to no package; name a path below it");
        }

        if (parts.Any(p => p is "." or ".."))
        {
            throw new TransactionException(TransactionError.InvalidRequest, $"{EchoText.Cap(path)}: name the path without '.' or '..'");
        }

        return string.Join('/', parts);
    }

    /// <summary>The exchange node at <paramref name="path"/> (e.g. <c>bin/ls</c>), or null.</summary>
    private static ExchangeNode? Find(ExchangeTree tree, string path)
    {
        string[] parts = path.Split('/');
        var node = tree.Roots.FirstOrDefault(r => r.Name.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(parts[0])));
        for (int i = 1; node is not null && i < parts.Length; i++)
        {
            node = node.IsDirectory ? node.Find(Encoding.UTF8.GetBytes(parts[i])) : null;
        }

        return node;
    }
}
