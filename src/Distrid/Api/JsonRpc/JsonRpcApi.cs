using Distrid.Api.Authorization;
using Distrid.Api.Repositories;
using Distrid.Protocol;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace Distrid.Api.JsonRpc;

/// <summary>
/// The JSON-RPC front end for ONE connection: it knows its caller (SO_PEERCRED of the socket), decodes the
/// contract's calls into queries or <see cref="MutationRequest"/>s, and maps results and refusals to the contract
/// (one-line errors with stable codes). The logic lives in <see cref="DistridQueries"/> and <see cref="MutationRunner"/>.
/// </summary>
internal sealed partial class JsonRpcApi(DistridQueries queries, MutationRunner runner, RepositoryAdmin repositories, CallerIdentity caller, Views.ViewOwner views, ILogger logger) : IDistridApi
{
    public Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(queries.Status());

    public Task<IReadOnlyList<PackageInfo>> ListAsync(bool available = false, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.List, cancellationToken, () => queries.ListAsync(available, cancellationToken));

    public Task<IReadOnlyList<PackageInfo>> SearchAsync(string term, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Search, cancellationToken, () => queries.SearchAsync(term, cancellationToken));

    public Task<PackageInfo> InfoAsync(string package, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Info, cancellationToken, () => queries.InfoAsync(package, cancellationToken));

    public Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(queries.Generations());

    public Task<TransactionResult> InstallAsync(IReadOnlyList<string> packages, bool dryRun = false, bool downloadOnly = false, bool detached = false, bool reinstall = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Run(MethodNames.Install, () => MutationRequests.Install(packages, caller, Mode(dryRun, downloadOnly), reinstall) with { Detached = detached }, progress, cancellationToken);

    public Task<TransactionResult> RemoveAsync(IReadOnlyList<string> packages, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Run(MethodNames.Remove, () => MutationRequests.Remove(packages, Mode(dryRun)), progress, cancellationToken);

    public Task<TransactionResult> UpdateAsync(bool dryRun = false, bool downloadOnly = false, bool detached = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Run(MethodNames.Update, () => MutationRequests.Update(Mode(dryRun, downloadOnly)) with { Detached = detached }, progress, cancellationToken);

    public Task<TransactionResult> RollbackAsync(int? generation = null, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Run(MethodNames.Rollback, () => MutationRequests.Rollback(generation, Mode(dryRun)), progress, cancellationToken);

    public Task<TransactionResult> GcAsync(int keep = ProtocolDefaults.GcKeep, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Run(MethodNames.Gc, () => MutationRequests.Gc(keep, Mode(dryRun)), progress, cancellationToken);

    public Task<TransactionResult> PinAsync(string name, string fullName, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Run(MethodNames.Pin, () => MutationRequests.Pin(name, fullName, Mode(dryRun)), progress, cancellationToken);

    public Task<TransactionResult> UnpinAsync(string name, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Run(MethodNames.Unpin, () => MutationRequests.Pin(name, null, Mode(dryRun)), progress, cancellationToken);

    public Task<PackageFiles> FilesAsync(string package, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Files, cancellationToken, () => queries.Admin.FilesAsync(package, cancellationToken));

    public Task<OwnerInfo> OwnsAsync(string path, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Owns, cancellationToken, () => queries.Admin.OwnsAsync(path, cancellationToken));

    public Task<WhyResult> WhyAsync(string package, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Why, cancellationToken, () => queries.Admin.WhyAsync(package, cancellationToken));

    public Task<IReadOnlyList<HistoryEntry>> HistoryAsync(CancellationToken cancellationToken = default) =>
        Guard(MethodNames.History, cancellationToken, () => Task.FromResult(queries.Admin.History()));

    public Task<GenerationDiff> DiffAsync(int? from = null, int? to = null, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Diff, cancellationToken, () => Task.FromResult(queries.Admin.Diff(from, to)));

    public Task<IReadOnlyList<VerifyInfo>> VerifyAsync(IReadOnlyList<string>? packages = null, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Verify, cancellationToken, () => queries.Admin.VerifyAsync(packages, cancellationToken));

    /// <summary>The view is this connection's: it closes with the connection (see JsonRpcServer).</summary>
    public Task<RunView> RunAsync(IReadOnlyList<string>? with = null, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.Run, cancellationToken, () => Task.Run(() => queries.Views.Open(with, views, caller), cancellationToken));

    public Task<bool> RunEndAsync(string view, CancellationToken cancellationToken = default) =>
        Guard(MethodNames.RunEnd, cancellationToken, () => Task.FromResult(queries.Views.End(view, views)));

    /// <summary>As D-Bus's flags: a dry run wins over download-only (it plans and changes nothing).</summary>
    private static TransactionMode Mode(bool dryRun, bool downloadOnly = false) =>
        dryRun ? TransactionMode.DryRun : downloadOnly ? TransactionMode.DownloadOnly : TransactionMode.Commit;

    private Task<TransactionResult> Run(string method, Func<MutationRequest> decode, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken) =>
        Guard(method, cancellationToken, async () =>
        {
            var relay = progress is null ? null : new SynchronousProgress<ProgressInfo>(progress.Report);
            return await runner.RunAsync(decode(), caller, relay, cancellationToken);
        });

    /// <summary>Turns a refusal into a JSON-RPC error with a stable code and a one-line message (no exception data).</summary>
    private async Task<T> Guard<T>(string method, CancellationToken cancellationToken, Func<Task<T>> call)
    {
        // The token fires on $/cancelRequest and when the connection closes (DaemonJsonRpc); said in the log, because
        // a transaction stopped by a vanished client should not look like one that failed on its own.
        await using var cancelled = cancellationToken.Register(() =>
            logger.LogInformation("{Method} call of {Caller} cancelled: its client cancelled it or disconnected", method, caller));
        try
        {
            return await call();
        }
        catch (TransactionException e)
        {
            throw new LocalRpcException(e.Message) { ErrorCode = ErrorCodes.TransactionBase + (int)e.Error, ErrorData = null };
        }
        catch (AuthorizationException e)
        {
            throw new LocalRpcException(e.Message) { ErrorCode = ErrorCodes.NotAuthorized, ErrorData = null };
        }
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder reports).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
