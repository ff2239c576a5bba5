using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Transactions.Operations;
using Microsoft.Extensions.Logging;

namespace Distrid.Transactions.Scheduled;

/// <summary>
/// One run of the scheduled update (distrid-update.service): download and verify the update into the store
/// (<c>update --download-only</c>, which records the plan), then, when the policy says apply and the maintenance
/// window is open, commit exactly that plan as one transaction (<c>update --apply-downloaded</c>) and gc to the kept
/// number of generations. Each step is an ordinary transaction of <see cref="TransactionService"/> with the caller's
/// origin, so <c>history</c> shows them; a failed or interrupted step changes no generation and the next run starts
/// over (downloads resume, verified images are not fetched again).
/// </summary>
internal sealed class ScheduledUpdates(TransactionService transactions, ScheduledUpdatePolicy policy, TimeProvider clock, ILogger<ScheduledUpdates> logger)
{
    public async Task<ScheduledUpdateResult> RunAsync(TransactionOrigin origin, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken)
    {
        var result = new ScheduledUpdateResult
        {
            Mode = policy.Mode,
            Window = policy.Window?.ToString(),
            Outcome = ScheduledUpdateResult.UpToDate,
            Message = "",
            Download = await transactions.RunAsync(new UpdateOperation(), TransactionMode.DownloadOnly, progress, cancellationToken, origin.Caller, origin: origin),
        };
        var download = result.Download;
        string fetched = $"{download.Added.Count} new packages, {download.Downloaded.Count} images downloaded";
        if (!download.Changed)
        {
            return Log(result with { Message = $"scheduled update: up to date (generation {download.PreviousGeneration})" });
        }

        if (!policy.Apply)
        {
            return Log(result with
            {
                Outcome = ScheduledUpdateResult.Downloaded,
                Message = $"scheduled update: prepared ({fetched}); mode download-only: apply with 'districtl update --apply-downloaded'",
            });
        }

        // Asked after the download, which may have taken the window's last minutes.
        var now = TimeOnly.FromDateTime(clock.GetLocalNow().DateTime);
        if (policy.Window is { } window && !window.Contains(now))
        {
            return Log(result with
            {
                Outcome = ScheduledUpdateResult.OutsideWindow,
                Message = $"scheduled update: prepared ({fetched}); {now:HH\\:mm} is outside the maintenance window {window}, so a run inside it applies it",
            });
        }

        var applied = await transactions.RunAsync(new ApplyPreparedOperation(), TransactionMode.Commit, progress, cancellationToken, origin.Caller, origin: origin);
        result = result with
        {
            Outcome = ScheduledUpdateResult.Applied,
            Apply = applied,
            Message = $"scheduled update: applied, generation {applied.PreviousGeneration} -> {applied.Generation} ({fetched})",
        };
        if (policy.KeepGenerations > 0)
        {
            try
            {
                result = result with { Gc = await transactions.RunAsync(new GcOperation(policy.KeepGenerations), TransactionMode.Commit, progress, cancellationToken, origin.Caller, origin: origin) };
            }
            catch (TransactionException e)
            {
                // The update is committed; an old generation left behind is the next gc's work, not a failed update.
                logger.LogWarning("scheduled update: gc --keep {Keep} after the update failed: {Error}", policy.KeepGenerations, e.Message);
                result = result with { GcError = e.Message };
            }
        }

        return Log(result);
    }

    private ScheduledUpdateResult Log(ScheduledUpdateResult result)
    {
        logger.LogInformation("{Message} (mode {Mode}, window {Window})", result.Message, result.Mode, result.Window ?? "any time");
        return result;
    }
}
