using Distri.Core.Packages;
using Distri.Core.Repository;
using Microsoft.Extensions.Logging;

namespace Distrid.Repository;

/// <summary>
/// The configured repositories, each one URL with its own signed index, and what they offer together: the enabled
/// ones' packages, in configuration order (the first repository that offers a full name supplies its metadata).
/// Repositories that offer the very same image (same full name and sha256) are mirrors of each other for it: its
/// download tries them in order. The set is an immutable snapshot swapped in one write by <see cref="Replace"/>
/// (<c>repo add|remove|enable|disable</c>), so a running transaction keeps the clients it started with; a replaced
/// client is disposed only with the set.
/// </summary>
public sealed class RepositorySet(RepositoryClientOptions template, ILogger<RepositorySet> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RepositoryClient> _retired = [];
    private volatile ConfiguredRepository[] _repositories = [];

    /// <summary>Every configured repository, enabled or not, in configuration order.</summary>
    public IReadOnlyList<ConfiguredRepository> All => _repositories;

    /// <summary>The options every repository's client gets, with its own URL as the only mirror.</summary>
    public RepositoryClientOptions Template => template;

    /// <summary>Called with each new client (the daemon hooks its AppStream catalog to the client's verified index).</summary>
    public Action<Uri, RepositoryClient>? ClientCreated { get; set; }

    /// <summary>Called after <see cref="Replace"/> with the new set (the daemon removes catalogs of repositories that went).</summary>
    public Action<IReadOnlyList<ConfiguredRepository>>? Replaced { get; set; }

    /// <summary>A repository for <paramref name="url"/> with a client of its own (not yet part of the set).</summary>
    public ConfiguredRepository Create(Uri url, bool enabled)
    {
        var client = new RepositoryClient(template with { Mirrors = [url] });
        ClientCreated?.Invoke(url, client);
        return new(url, enabled, client);
    }

    /// <summary>Makes <paramref name="next"/> the set; clients no longer in it are retired (disposed with the set).</summary>
    public void Replace(IEnumerable<ConfiguredRepository> next)
    {
        ConfiguredRepository[] repositories = [.. next];
        lock (_gate)
        {
            foreach (var old in _repositories.Where(o => !repositories.Any(n => ReferenceEquals(n.Client, o.Client))))
            {
                _retired.Add(old.Client);
            }

            _repositories = repositories;
        }

        Replaced?.Invoke(repositories);
    }

    /// <summary>
    /// Fetches every enabled repository's index (conditional GETs, in parallel) for a transaction. Any enabled
    /// repository that fails fails the transaction with its one line: a mirror that now serves an index signed by
    /// another key or altered must stop an install, not leave it to an older index (queries, which change nothing, do
    /// answer from the last verified one). A dead repository is the admin's to disable.
    /// </summary>
    public async Task<RepositoryIndex> FetchIndexAsync(CancellationToken cancellationToken = default)
    {
        var enabled = All.Where(r => r.Enabled).ToList();
        var fetched = await Task.WhenAll(enabled.Select(r => TryRefreshAsync(r, cancellationToken)));
        var failed = fetched.Where(f => f.Error is not null).Select(f => f.Error!).ToList();
        if (failed.Count > 0)
        {
            string hint = enabled.Count > 1 ? " ('districtl repo disable URL' leaves a repository out)" : "";
            throw new RepositoryException(string.Join("; ", failed) + hint);
        }

        return Merge(enabled, [.. fetched.Select(f => f.Result)]);
    }

    /// <summary>Fetches one repository's index and records the outcome; a failure leaves its last verified index.</summary>
    public async Task<IndexFetchResult?> RefreshAsync(ConfiguredRepository repository, CancellationToken cancellationToken = default) =>
        (await TryRefreshAsync(repository, cancellationToken)).Result;

    /// <summary>As <see cref="RefreshAsync"/>, with this fetch's failure (not another caller's).</summary>
    private async Task<(IndexFetchResult? Result, string? Error)> TryRefreshAsync(ConfiguredRepository repository, CancellationToken cancellationToken)
    {
        try
        {
            var result = await repository.Client.FetchIndexAsync(cancellationToken);
            repository.Refreshed();
            return (result, null);
        }
        catch (RepositoryException e)
        {
            repository.Failed(e.Message);
            logger.LogWarning("repository {Url}: index not refreshed: {Error}", MirrorUrls.Display(repository.Url), e.Message);
            return (repository.Client.Current, e.Message);
        }
    }

    /// <summary>For queries: every enabled repository's last verified index at once (see <see cref="RepositoryClient.LatestVerifiedAsync"/>).</summary>
    public async Task<RepositoryIndex> LatestVerifiedAsync(CancellationToken cancellationToken = default)
    {
        var enabled = All.Where(r => r.Enabled).ToList();
        var fetched = await Task.WhenAll(enabled.Select(async r =>
        {
            if (r.Client.Current is not null)
            {
                return await r.Client.LatestVerifiedAsync(cancellationToken);
            }

            return await RefreshAsync(r, cancellationToken);
        }));
        return Merge(enabled, fetched);
    }

    /// <summary>The longest round trip an enabled repository's last index request took (zero before any).</summary>
    internal TimeSpan LongestRoundTrip => All.Where(r => r.Enabled).Select(r => r.Client.LinkRoundTrip).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>
    /// The enabled repositories' last verified indexes as one, without any request; null unless every enabled repository
    /// has one. What a transaction may start fetching for while its fresh index is on the way (never what it commits on).
    /// </summary>
    public RepositoryIndex? LastVerified()
    {
        var enabled = All.Where(r => r.Enabled).ToList();
        IndexFetchResult?[] verified = [.. enabled.Select(r => r.Client.Current)];
        return enabled.Count == 0 || verified.Any(v => v is null) ? null : Merge(enabled, verified);
    }

    /// <summary>
    /// Downloads <paramref name="packages"/> as <see cref="RepositoryClient.DownloadAsync"/> does, each from the enabled
    /// repositories whose index offers exactly that image, in configuration order. <paramref name="firstRequestIssued"/>
    /// is called once the first image request holds a connection (see <see cref="RepositoryClient.DownloadAsync"/>).
    /// </summary>
    public async Task DownloadAsync(
        IReadOnlyList<PackageMetadata> packages, string targetDirectory, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default,
        Action? firstRequestIssued = null)
    {
        var enabled = All.Where(r => r.Enabled).ToList();
        if (enabled.Count == 0)
        {
            throw new RepositoryException("no repository is enabled ('districtl repo list' shows them)");
        }

        var sources = new Dictionary<string, IReadOnlyList<Uri>>(StringComparer.Ordinal);
        var groups = new List<(ConfiguredRepository Repository, List<PackageMetadata> Packages)>();
        foreach (var package in packages)
        {
            var offering = enabled.Where(r => r.Client.Current?.Index.Find(package.FullName) is { } e && e.Sha256 == package.Sha256).ToList();
            var first = offering.Count > 0 ? offering[0] : enabled[0];
            sources[package.FullName] = offering.Count > 0 ? [.. offering.Select(r => r.Url)] : [.. enabled.Select(r => r.Url)];
            var group = groups.Find(g => ReferenceEquals(g.Repository, first));
            if (group.Packages is null)
            {
                groups.Add((first, [package]));
            }
            else
            {
                group.Packages.Add(package);
            }
        }

        long total = packages.DistinctBy(p => p.FullName).Sum(p => p.Size);
        long before = 0;
        foreach (var (repository, group) in groups)
        {
            // Groups run one after the other; progress adds up over all of them as one download.
            long offset = before;
            var relay = progress is null || groups.Count == 1 ? progress : new SynchronousRelay(p =>
                progress.Report(p with { TotalBytesDone = offset + p.TotalBytesDone, TotalBytes = total }));
            await repository.Client.DownloadAsync(group, targetDirectory, relay, cancellationToken, p => sources.GetValueOrDefault(p.FullName), firstRequestIssued);
            before += group.DistinctBy(p => p.FullName).Sum(p => p.Size);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var repository in _repositories)
            {
                repository.Client.Dispose();
            }

            _retired.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The enabled repositories' packages as one index: the first repository that offers a full name wins.
    /// Throws only when no enabled repository has a verified index at all.</summary>
    private static RepositoryIndex Merge(List<ConfiguredRepository> enabled, IndexFetchResult?[] fetched)
    {
        if (enabled.Count > 0 && fetched.All(f => f is null))
        {
            throw new RepositoryException(string.Join("; ", enabled.Select(r => r.LastError ?? $"mirror {MirrorUrls.Display(r.Url)}: no index")));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var packages = new List<IndexEntry>();
        foreach (var result in fetched)
        {
            packages.AddRange(result?.Index.Packages.Where(p => seen.Add(p.FullName)) ?? []);
        }

        return new RepositoryIndex
        {
            FormatVersion = RepositoryIndex.CurrentFormatVersion,
            Generated = fetched.Max(f => f?.Index.Generated) ?? DateTimeOffset.UnixEpoch,
            Packages = packages,
        };
    }

    private sealed class SynchronousRelay(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
