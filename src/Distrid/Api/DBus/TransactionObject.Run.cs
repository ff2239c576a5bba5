using System.Diagnostics;
using Distrid.Api.Authorization;
using Distrid.Protocol;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;

namespace Distrid.Api.DBus;

/// <summary>Running the transaction and telling clients how it goes.</summary>
internal sealed partial class TransactionObject
{
    private async Task RunAsync(CallerIdentity caller)
    {
        SetStatus("authorizing", allowCancel: true);
        try
        {
            await Task.Yield();
            var relay = new Relay(this);
            bool detached;
            lock (_gate)
            {
                detached = _detached;
            }

            var outcome = await _registry.Runner.RunAsync(_request with { Detached = detached }, caller, relay, _cancel.Token);
            _logger.LogInformation("{Path}: {Description} finished", Path, outcome.Description);
            Finish("success", null, null);
        }
        catch (AuthorizationException e)
        {
            Finish("failed", e.Decision == AuthorizationDecision.ChallengeRequired ? "interactive-authorization-required" : "not-authorized", e.Message);
        }
        catch (Exception e) when (_cancel.IsCancellationRequested && e is TransactionException or OperationCanceledException)
        {
            Finish("cancelled", "cancelled", "cancelled; nothing changed");
        }
        catch (TransactionException e)
        {
            Finish("failed", MethodReplies.Code(e.Error), e.Message);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "{Path} failed", Path);
            Finish("failed", "internal", e.Message);
        }
    }

    private void OnProgress(ProgressInfo progress)
    {
        // Download reports arrive from the thread pool: deciding and sending under one lock keeps a late report
        // from overtaking Finished.
        lock (_signalOrder)
        {
            bool send;
            lock (_gate)
            {
                if (_state != TransactionState.Running)
                {
                    return; // a late report after Finished
                }

                send = _throttle.Offer(progress, Stopwatch.GetTimestamp());
            }

            if (send)
            {
                Publish(progress);
            }
        }
    }

    /// <summary>Progress signal and the properties it moves (Status, Percentage, AllowCancel).</summary>
    private void Publish(ProgressInfo progress)
    {
        uint percent = ProgressThrottle.Percent(progress);
        string status = progress.Phase switch
        {
            "resolve" => "resolving",
            "download" => "downloading",
            "commit" => "committing",
            _ => progress.Phase,
        };
        SetStatus(status, allowCancel: progress.Phase != "commit", percent);
        EmitProgress(progress.Package ?? progress.Phase, percent, (ulong)progress.TotalBytesDone, (ulong)progress.TotalBytes);
    }

    /// <summary>The last held-back progress, then ErrorCode (on failure), then Finished; later the object goes away.</summary>
    private void Finish(string exit, string? code, string? details)
    {
        lock (_signalOrder)
        {
            ProgressInfo? pending;
            lock (_gate)
            {
                pending = _throttle.TakePending();
                _state = TransactionState.Finished;
                _runtime.Stop();
            }

            if (pending is not null)
            {
                Publish(pending);
            }

            if (code is not null)
            {
                EmitErrorCode(code, details ?? code);
            }

            SetStatus("finished", allowCancel: false, exit == "success" ? 100 : null);
            EmitFinished(exit, (uint)Math.Min(uint.MaxValue, _runtime.ElapsedMilliseconds));
        }

        _registry.Retire(this, TransactionRegistry.FinishedLifetime);
    }

    /// <summary>Reports synchronously on the reporting thread, so reports keep their order where the source keeps it.</summary>
    private sealed class Relay(TransactionObject owner) : IProgress<ProgressInfo>
    {
        public void Report(ProgressInfo value) => owner.OnProgress(value);
    }
}
