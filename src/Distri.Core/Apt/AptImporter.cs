using Distri.Core.Packages;
using Distri.Core.Relocation;
using Distri.Core.Repository;
using Distri.Core.SquashFs.Writing;

namespace Distri.Core.Apt;

/// <summary>What <c>districtl repo import-apt</c> was asked to do.</summary>
public sealed record AptImportRequest
{
    public required Uri Source { get; init; }

    public required string Suite { get; init; }

    public IReadOnlyList<string> Components { get; init; } = ["main"];

    public string Architecture { get; init; } = "amd64";

    public string Keyring { get; init; } = ReleaseVerifier.DefaultKeyring;

    public bool AllowUnsigned { get; init; }

    public required IReadOnlyList<string> Packages { get; init; }

    public required string Repository { get; init; }

    /// <summary>Signing key prefix: with it, REPO is indexed and signed as <c>repo build</c> does.</summary>
    public string? KeyPrefix { get; init; }

    /// <summary>Where verified .debs are kept between runs; default REPO/.cache/debs.</summary>
    public string? CacheDirectory { get; init; }

    public SquashFsWriterOptions Image { get; init; } = new();

    /// <summary>zstd level of the index's transport copies, as <c>repo build --zstd-level</c>.</summary>
    public int ZstdLevel { get; init; } = 19;

    public AptHttpOptions Http { get; init; } = new();
}

/// <summary>How one closure member came out of an import.</summary>
public enum ImportOutcome
{
    Unchanged,
    New,
    Rebuilt,
}

public sealed record ImportedPackage(string DebianName, string FullName, ImportOutcome Outcome);

public sealed record AptImportResult(IReadOnlyList<ImportedPackage> Packages, RepositoryBuildResult? Index);

/// <summary>
/// <c>repo import-apt</c> end to end: verify the archive, resolve the closure (declared dependencies, then what the
/// members' files need and nothing in the closure provides, via the Contents index), download and verify the .debs,
/// plan revisions against REPO/import-state.json, build the images that changed in a staging directory beside REPO
/// and move them in, then index and sign. A failure before the move leaves REPO untouched.
/// </summary>
public static class AptImporter
{
    private const int MaxScanRounds = 32;

    public static async Task<AptImportResult> RunAsync(AptImportRequest request, Action<string> warn, Action<string> progress, CancellationToken cancellationToken)
    {
        string repo = Path.GetFullPath(request.Repository);
        string pkgDir = Path.Combine(repo, RepositoryLayout.PackageDirectory);
        if (request.KeyPrefix is { } key && !File.Exists(RepositoryBuilder.PrivateKeyPath(key)))
        {
            throw new AptArchiveException($"{RepositoryBuilder.PrivateKeyPath(key)}: no such key (write one with 'districtl keygen')");
        }

        var state = ImportState.Load(repo);
        using var http = new AptHttp(request.Source, request.Http);
        string cache = request.CacheDirectory ?? Path.Combine(repo, ".cache", "debs");
        var archive = await AptArchive.OpenAsync(http, request.Suite, request.Keyring, request.AllowUnsigned, warn, cancellationToken,
            Path.Combine(cache, "indexes")).ConfigureAwait(false);
        var packages = new List<AptPackage>();
        foreach (string component in request.Components)
        {
            packages.AddRange(await archive.ReadPackagesAsync(component, request.Architecture, cancellationToken).ConfigureAwait(false));
        }

        var index = new PackageIndex(request.Architecture, packages);
        progress($"{request.Suite}: {index.Count} packages for {request.Architecture}");
        var resolver = new ClosureResolver(index);
        foreach (string wanted in request.Packages)
        {
            resolver.Request(wanted);
        }

        var downloader = new DebDownloader(http, cache);
        IReadOnlyList<PlannedPackage> plan;
        for (int round = 0; ; round++)
        {
            int missing = downloader.Missing(resolver.Packages).Count;
            if (missing > 0)
            {
                progress($"downloading {missing} of {resolver.Packages.Count} .debs");
            }

            await downloader.DownloadAsync(resolver.Packages, cancellationToken).ConfigureAwait(false);
            plan = ImportPlanner.Plan(resolver, state, pkgDir);
            var unmet = ClosureScanCache.Scan(cache, ToClosure(plan, downloader), warn);
            if (unmet.Count == 0)
            {
                break;
            }

            if (round == MaxScanRounds)
            {
                throw new UnmetDependencyException($"the closure still needs {unmet[0].What} after {MaxScanRounds} rounds of adding providers");
            }

            await AddProvidersAsync(archive, index, resolver, plan, unmet, request, cancellationToken).ConfigureAwait(false);
        }

        var outcomes = plan.Select(p => new ImportedPackage(
            p.Deb.Package,
            p.Name.FullName,
            !p.Rebuild ? ImportOutcome.Unchanged : state.Packages.ContainsKey(p.Deb.Package) ? ImportOutcome.Rebuilt : ImportOutcome.New)).ToList();
        bool indexMissing = request.KeyPrefix is not null
            && !File.Exists(Path.Combine(repo, RepositoryLayout.SignatureFile));
        if (!plan.Any(p => p.Rebuild) && !indexMissing)
        {
            return new AptImportResult(outcomes, null);
        }

        if (plan.Any(p => p.Rebuild))
        {
            var bytecode = BuildChanged(plan, downloader, repo, pkgDir, request.Image, warn, progress);
            foreach (var p in plan)
            {
                string? compiler = p.Rebuild ? bytecode.GetValueOrDefault(downloader.CachePath(p.Deb)) : state.Packages.GetValueOrDefault(p.Deb.Package)?.Bytecode;
                state.Packages[p.Deb.Package] = new ImportedPackageState
                {
                    FullName = p.Name.FullName,
                    DebSha256 = p.Deb.Sha256,
                    Dependencies = p.Dependencies,
                    Bytecode = compiler,
                };
            }

            state.Save(repo);
        }

        RepositoryBuildResult? built = null;
        if (request.KeyPrefix is not null)
        {
            progress("indexing and signing");
            built = new RepositoryBuilder { ZstdLevel = request.ZstdLevel }.Run(repo, request.KeyPrefix);
            foreach (string warning in built.Warnings)
            {
                warn(warning);
            }
        }

        return new AptImportResult(outcomes, built);
    }

    private static List<ClosurePackage> ToClosure(IEnumerable<PlannedPackage> plan, DebDownloader downloader) =>
        [.. plan.Select(p => new ClosurePackage(downloader.CachePath(p.Deb), p.Name, p.Dependencies))];

    /// <summary>For each unmet soname or path, the archive package that ships it (Contents index) joins the closure as a dependency of the member that needs it.</summary>
    private static async Task AddProvidersAsync(AptArchive archive, PackageIndex index, ClosureResolver resolver, IReadOnlyList<PlannedPackage> plan,
        IReadOnlyList<UnmetRequirement> unmet, AptImportRequest request, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(unmet.SelectMany(u => ContentsIndex.CandidatePaths(u.Kind, u.What, request.Architecture)), StringComparer.Ordinal);
        var found = await archive.FindInContentsAsync(request.Components, request.Architecture, wanted, cancellationToken).ConfigureAwait(false);
        UndeclaredDependencies.Add(resolver, index, plan, unmet, found, request.Architecture);
    }

    /// <summary>Builds the changed members' images; returns, by .deb path, the compiler of those with Python modules.</summary>
    private static Dictionary<string, string?> BuildChanged(IReadOnlyList<PlannedPackage> plan, DebDownloader downloader, string repo, string pkgDir,
        SquashFsWriterOptions image, Action<string> warn, Action<string> progress)
    {
        // The relocator needs each changed member's whole runtime closure (its library farm names their files).
        var byName = plan.ToDictionary(p => p.Name.FullName, StringComparer.Ordinal);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<PlannedPackage>(plan.Where(p => p.Rebuild));
        while (pending.TryPop(out var member))
        {
            if (needed.Add(member.Name.FullName))
            {
                foreach (string dependency in member.Dependencies)
                {
                    pending.Push(byName[dependency]);
                }
            }
        }

        var subset = plan.Where(p => needed.Contains(p.Name.FullName)).ToList();
        string parent = Path.GetDirectoryName(repo) ?? repo;
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(repo)}.import-{Environment.ProcessId}");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        try
        {
            progress($"building {plan.Count(p => p.Rebuild)} images");
            var results = ClosureRelocator.Build(ToClosure(subset, downloader), staging, image, warn);
            if (results.FirstOrDefault(r => r.Error is not null) is { } failed)
            {
                throw new AptArchiveException($"{Path.GetFileName(failed.DebPath)}: {failed.Error}");
            }

            Directory.CreateDirectory(pkgDir);
            foreach (var member in plan.Where(p => p.Rebuild))
            {
                foreach (string extension in new[] { PackageMetadata.ImageExtension, PackageMetadata.MetadataExtension })
                {
                    string from = Path.Combine(staging, member.Name.FullName + extension);
                    if (!File.Exists(from))
                    {
                        throw new AptArchiveException($"{member.Name.FullName}: the relocator wrote no {extension}");
                    }
                }
            }

            foreach (var member in plan.Where(p => p.Rebuild))
            {
                foreach (string extension in new[] { PackageMetadata.ImageExtension, PackageMetadata.MetadataExtension })
                {
                    File.Move(Path.Combine(staging, member.Name.FullName + extension), Path.Combine(pkgDir, member.Name.FullName + extension), overwrite: true);
                }
            }

            return results.Where(r => r.Bytecode is not null).ToDictionary(r => r.DebPath, r => r.Bytecode, StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }
}
