using Distri.Core.Packages;
using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Reading;
using Distri.Core.Text;
using Distrid.FileSystem;
using Distrid.Generations;
using Distrid.Hosting;
using Distrid.Store;
using Distrid.Transactions;

namespace Distrid.Api.Admin;

/// <summary>
/// The day-to-day questions an admin asks (files, owns, why, history, diff, verify), answered from the store's
/// images, the published /ro namespace, the generations and the journal. Shared by every front end (JSON-RPC, D-Bus,
/// PackageKit); like <see cref="DistridQueries"/> it changes nothing and is open to every caller. Failures throw
/// <see cref="TransactionException"/> with one line.
/// </summary>
internal sealed partial class AdminQueries
{
    private readonly DaemonOptions _options;
    private readonly PackageStore _store;
    private readonly GenerationStore _generations;
    private readonly TransactionService _transactions;
    private readonly RoFileSystem _fileSystem;

    public AdminQueries(DaemonOptions options, PackageStore store, GenerationStore generations, TransactionService transactions, RoFileSystem fileSystem)
    {
        _options = options;
        _store = store;
        _generations = generations;
        _transactions = transactions;
        _fileSystem = fileSystem;
    }

    private Generation? Current => _generations.Current;

    private IReadOnlyList<string> CurrentPackages => Current?.Packages ?? [];

    /// <summary>
    /// The package a user means: the full name itself; else the installed package of that name (or name-arch),
    /// the newest revision when several are installed; else what the store and repositories offer (newest).
    /// </summary>
    private static PackageName ResolveInstalledFirst(string spec, PackageCatalog catalog, IReadOnlyList<string> installed)
    {
        if (PackageName.TryParse(spec, out var exact, out _) && catalog.Find(exact.FullName) is not null)
        {
            return exact;
        }

        var (name, arch) = PackageCatalog.SplitArch(spec);
        var match = installed.Select(PackageName.Parse)
            .Where(p => p.Name == name && (arch is null || p.Arch == arch))
            .MaxBy(p => (p.Arch == PackageCatalog.NativeArch ? 1 : 0, p.Revision));
        return match ?? catalog.Resolve(spec);
    }

    private async Task<PackageCatalog> CatalogAsync(bool withAvailable, CancellationToken cancellationToken)
    {
        var available = withAvailable ? await _transactions.AvailableForQueryAsync(cancellationToken) : [];
        return new PackageCatalog(_store.Scan(), available);
    }

    /// <summary>Opens a store image for one query, or explains in one line why it cannot be read.</summary>
    private SquashFsImage OpenImage(string fullName)
    {
        try
        {
            return SquashFsImage.Open(_store.ImagePath(fullName));
        }
        catch (Exception e) when (e is SquashFsException or IOException or UnauthorizedAccessException)
        {
            throw new TransactionException(TransactionError.Storage,
                $"the image of {fullName} cannot be read ({EchoText.OneLine(e.Message)}); 'districtl verify {fullName}' checks it");
        }
    }

    /// <summary>Runs a read of a store image off the request thread, turning a damaged image into one line.</summary>
    private static Task<T> ReadImageAsync<T>(string fullName, Func<T> read, CancellationToken cancellationToken) => Task.Run(() =>
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is SquashFsException or InvalidDataException or IOException)
        {
            throw new TransactionException(TransactionError.Storage,
                $"the image of {fullName} is damaged ({EchoText.OneLine(e.Message)}); fix: districtl install --reinstall {fullName}");
        }
    }, cancellationToken);

    private string UnderMountpoint(string relative) => Path.Join(_options.Mountpoint, relative);
}
