using System.Diagnostics;
using Distri.Core.Packages;
using Distri.Core.Repository;
using Distrid.Repository;

namespace Distrid.Transactions;

/// <summary>
/// The images a transaction's plan needs according to the last verified index, fetched while the index's conditional
/// GET is still on the wire: on a WAN link that GET costs a round trip the downloads need not wait for. It only ever
/// adds verified images to the store (each checked against the sha256 of the index it was planned on), never changes a
/// generation: <see cref="TransactionService"/> plans again on the fresh index and keeps this download only when the
/// fresh plan needs exactly these images with exactly these digests (<see cref="Covers"/>); otherwise it is cancelled
/// and the fresh plan fetches what differs. Its progress is held back until the fresh plan was announced
/// (<see cref="Confirm"/>), so a client never sees bytes of a download that then turns out not to be the plan's.
/// </summary>
internal sealed class EarlyDownload : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly HeldProgress _progress = new();
    private readonly TaskCompletionSource _requestIssued = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EarlyDownload(
        IReadOnlyList<PackageMetadata> downloads, CancellationTokenSource cancel, Func<IProgress<DownloadProgress>, Action, CancellationToken, Task> start)
    {
        Downloads = downloads;
        _cancel = cancel;
        StartedAt = Stopwatch.GetTimestamp();

        // Started on the thread pool: the caller goes on to the index at once.
        Completion = Task.Run(() => start(_progress, () => _requestIssued.TrySetResult(), cancel.Token), cancel.Token);
        _ = Completion.ContinueWith(_ => _requestIssued.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>What is being fetched, with the digests it is verified against.</summary>
    public IReadOnlyList<PackageMetadata> Downloads { get; }

    /// <summary>When it started (a <see cref="Stopwatch"/> timestamp).</summary>
    public long StartedAt { get; }

    /// <summary>Completes when every image is in the store (verified), or fails as the download does.</summary>
    public Task Completion { get; }

    /// <summary>
    /// Completes once the first image request holds a connection (or the download ended without one). The index's
    /// check waits for it: the connection pool's warm connection (the last refresh's) then carries image bytes, which
    /// the install waits for from the first to the last, while the check's small answer is needed only at the commit
    /// and can afford a new connection's handshake.
    /// </summary>
    public Task RequestIssued => _requestIssued.Task;

    /// <summary>Starts downloading <paramref name="downloads"/> into <paramref name="directory"/> from <paramref name="repository"/>.</summary>
    public static EarlyDownload Start(RepositorySet repository, string directory, IReadOnlyList<PackageMetadata> downloads, CancellationToken cancellationToken) =>
        new(downloads, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken),
            (progress, issued, ct) => repository.DownloadAsync(downloads, directory, progress, ct, issued));

    /// <summary>
    /// Whether this download fetches exactly <paramref name="downloads"/>: the same full names with the same size and
    /// sha256, nothing more and nothing less.
    /// </summary>
    public bool Covers(IReadOnlyList<PackageMetadata> downloads)
    {
        var planned = Downloads.Select(Key).ToHashSet();
        var wanted = downloads.Select(Key).ToHashSet();
        return planned.SetEquals(wanted);
    }

    /// <summary>The download is the transaction's: its progress so far, and from now on, goes to <paramref name="progress"/>.</summary>
    public void Confirm(IProgress<DownloadProgress>? progress) => _progress.Release(progress);

    /// <summary>Cancels the download unless it finished, and waits for it: afterwards nothing of it is still writing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Completion.IsCompleted)
        {
            await _cancel.CancelAsync();
        }

        try
        {
            await Completion;
        }
        catch (Exception e) when (e is OperationCanceledException or RepositoryException or IOException or UnauthorizedAccessException)
        {
            // A discarded download's failure is not the transaction's: the fresh plan fetches what it needs itself.
        }

        _cancel.Dispose();
    }

    private static (string FullName, long Size, string Sha256) Key(PackageMetadata p) => (p.FullName, p.Size, p.Sha256.ToLowerInvariant());

    /// <summary>Keeps reports until <see cref="Release"/>, then passes them on in order (or drops them when released to null).</summary>
    private sealed class HeldProgress : IProgress<DownloadProgress>
    {
        private readonly Lock _lock = new();
        private List<DownloadProgress>? _held = [];
        private IProgress<DownloadProgress>? _target;

        public void Report(DownloadProgress value)
        {
            lock (_lock)
            {
                if (_held is not null)
                {
                    _held.Add(value);
                }
                else
                {
                    _target?.Report(value);
                }
            }
        }

        public void Release(IProgress<DownloadProgress>? target)
        {
            lock (_lock)
            {
                _target = target;
                foreach (var value in _held ?? [])
                {
                    target?.Report(value);
                }

                _held = null;
            }
        }
    }
}
