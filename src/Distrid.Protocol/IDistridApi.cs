using StreamJsonRpc;

namespace Distrid.Protocol;

/// <summary>
/// The daemon's JSON-RPC 2.0 contract on its Unix socket: one method per <c>districtl</c> verb, named as the verb.
/// Messages are newline-delimited JSON (see docs/API.md). Parameters are flat and named, so a script sends
/// <c>{"method":"install","params":{"packages":["zsh"],"dryRun":true}}</c>. Mutating methods report progress as
/// <c>$/progress</c> notifications when the caller passes a progress token. The same interface types the client's proxy.
/// </summary>
[JsonRpcContract]
public partial interface IDistridApi
{
    /// <summary>The mount, the store, package counts and exchange-directory conflicts.</summary>
    [JsonRpcMethod(MethodNames.Status)]
    Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>The installed packages, or with <paramref name="available"/> what the repositories offer.</summary>
    [JsonRpcMethod(MethodNames.List)]
    Task<IReadOnlyList<PackageInfo>> ListAsync(bool available = false, CancellationToken cancellationToken = default);

    /// <summary>Packages whose name or summary contains <paramref name="term"/>, installed or available.</summary>
    [JsonRpcMethod(MethodNames.Search)]
    Task<IReadOnlyList<PackageInfo>> SearchAsync(string term, CancellationToken cancellationToken = default);

    /// <summary>One package: name, name-arch or full name.</summary>
    [JsonRpcMethod(MethodNames.Info)]
    Task<PackageInfo> InfoAsync(string package, CancellationToken cancellationToken = default);

    /// <summary>
    /// Installs <paramref name="packages"/>. With <paramref name="downloadOnly"/>, downloads and verifies into the store
    /// and commits no generation. The transaction is cancelled (nothing changes) when the caller cancels or its
    /// connection closes before the commit, unless <paramref name="detached"/>: then it runs on without its caller and
    /// <c>status</c> says so.
    /// </summary>
    /// <remarks>With <paramref name="reinstall"/>, the named packages' images are fetched again and verified even when the
    /// store has them (the repair <c>verify</c> proposes); the new image replaces the old one with one rename.</remarks>
    [JsonRpcMethod(MethodNames.Install)]
    Task<TransactionResult> InstallAsync(IReadOnlyList<string> packages, bool dryRun = false, bool downloadOnly = false, bool detached = false, bool reinstall = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    [JsonRpcMethod(MethodNames.Remove)]
    Task<TransactionResult> RemoveAsync(IReadOnlyList<string> packages, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves every requested, unpinned package to its newest revision; <paramref name="downloadOnly"/> and
    /// <paramref name="detached"/> as for install. A download-only update also remembers its plan (the prepared update);
    /// <paramref name="applyDownloaded"/> commits exactly that plan, without a mirror, only while the generation it was
    /// planned on is current and every image is in the store with the digest it was verified with.
    /// </summary>
    [JsonRpcMethod(MethodNames.Update)]
    Task<TransactionResult> UpdateAsync(bool dryRun = false, bool downloadOnly = false, bool detached = false, bool applyDownloaded = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// One run of the scheduled update, as distrid-update.service asks for it (root only; journaled with origin
    /// <c>timer</c>): download and verify the update, then, if the configuration's <c>scheduledUpdate</c> says apply
    /// and its maintenance window is open, apply it as one transaction and gc.
    /// </summary>
    [JsonRpcMethod(MethodNames.ScheduledUpdate)]
    Task<ScheduledUpdateResult> ScheduledUpdateAsync(IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Makes generation <paramref name="generation"/> (default: the one before the current) current again.</summary>
    [JsonRpcMethod(MethodNames.Rollback)]
    Task<TransactionResult> RollbackAsync(int? generation = null, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    [JsonRpcMethod(MethodNames.Generations)]
    Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes generations beyond the newest <paramref name="keep"/> and images no kept generation names.</summary>
    [JsonRpcMethod(MethodNames.Gc)]
    Task<TransactionResult> GcAsync(int keep = ProtocolDefaults.GcKeep, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    [JsonRpcMethod(MethodNames.Pin)]
    Task<TransactionResult> PinAsync(string name, string fullName, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    [JsonRpcMethod(MethodNames.Unpin)]
    Task<TransactionResult> UnpinAsync(string name, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Every path of one package's image (installed, or kept in the store); a package only a repository offers has none yet.</summary>
    [JsonRpcMethod(MethodNames.Files)]
    Task<PackageFiles> FilesAsync(string package, CancellationToken cancellationToken = default);

    /// <summary>Which package provides <paramref name="path"/> under the mountpoint (exchange directories included), and who lost a conflict for it.</summary>
    [JsonRpcMethod(MethodNames.Owns)]
    Task<OwnerInfo> OwnsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The dependency chains from explicitly installed packages to <paramref name="package"/>.</summary>
    [JsonRpcMethod(MethodNames.Why)]
    Task<WhyResult> WhyAsync(string package, CancellationToken cancellationToken = default);

    /// <summary>Every transaction of the journal, oldest first.</summary>
    [JsonRpcMethod(MethodNames.History)]
    Task<IReadOnlyList<HistoryEntry>> HistoryAsync(CancellationToken cancellationToken = default);

    /// <summary>Packages added, removed, upgraded and downgraded from <paramref name="from"/> to <paramref name="to"/>
    /// (defaults: the generation current before the last change, and the current one).</summary>
    [JsonRpcMethod(MethodNames.Diff)]
    Task<GenerationDiff> DiffAsync(int? from = null, int? to = null, CancellationToken cancellationToken = default);

    /// <summary>Re-hashes store images against the sha256 they were installed with and walks their SquashFS structure
    /// (all images, or those <paramref name="packages"/> names).</summary>
    [JsonRpcMethod(MethodNames.Verify)]
    Task<IReadOnlyList<VerifyInfo>> VerifyAsync(IReadOnlyList<string>? packages = null, CancellationToken cancellationToken = default);
}
