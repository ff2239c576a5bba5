using Distrid.Api.Authorization;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>Running a role and telling the client how it goes: Status, Percentage, then ErrorCode (at most one) and Finished.</summary>
internal sealed partial class PackageKitTransaction
{
    private async Task RunAsync(Func<Task<bool>> run)
    {
        await Task.Yield();
        SetStatus(PkStatus.Setup);
        try
        {
            bool changed = await run();
            if (changed)
            {
                await RevalidatePreparedAsync();
            }

            Finish(PkExit.Success, null, null, changed);
        }
        catch (AuthorizationException e)
        {
            Finish(PkExit.Failed, PkError.NotAuthorized, e.Message, changedPackages: false);
        }
        catch (Exception e) when (_cancel.IsCancellationRequested && e is TransactionException or OperationCanceledException)
        {
            Finish(PkExit.Cancelled, PkError.Cancelled, "cancelled; nothing changed", changedPackages: false);
        }
        catch (TransactionException e)
        {
            Finish(PkExit.Failed, ErrorOf(e.Error), e.Message, changedPackages: false);
        }
        catch (PackageKitException e)
        {
            Finish(PkExit.Failed, e.Code, e.Message, changedPackages: false);
        }
        catch (Exception e)
        {
            Context.Logger.LogError(e, "{Path} failed", Path);
            Finish(PkExit.Failed, PkError.Internal, "internal error: " + e.Message, changedPackages: false);
        }
    }

    public static uint ErrorOf(TransactionError error) => error switch
    {
        TransactionError.Busy => PkError.CannotGetLock,
        TransactionError.NotFound => PkError.NotFound,
        TransactionError.NotInstalled => PkError.NotInstalled,
        TransactionError.Needed or TransactionError.Dependency => PkError.DependencyFailed,
        TransactionError.Download => PkError.DownloadFailed,
        TransactionError.NotAuthorized => PkError.NotAuthorized,
        TransactionError.Storage => PkError.Internal,
        _ => PkError.TransactionError,
    };

    private void Finish(uint exit, uint? error, string? details, bool changedPackages)
    {
        uint role;
        lock (_signalOrder)
        {
            lock (_gate)
            {
                if (_finished && _started)
                {
                    return;
                }

                _finished = true;
                _runtime.Stop();
                role = _role;
            }

            if (error is uint code)
            {
                Signals.Emit(Context.Connection, Path, PackageKitNames.TransactionInterface, "ErrorCode", "us", (ref MessageWriter writer) =>
                {
                    writer.WriteUInt32(code);
                    writer.WriteString(details ?? "");
                });
            }

            SetStatus(PkStatus.Finished, exit == PkExit.Success ? 100 : null, allowCancel: false);
            uint elapsed = (uint)Math.Min(uint.MaxValue, _runtime.ElapsedMilliseconds);
            Signals.Emit(Context.Connection, Path, PackageKitNames.TransactionInterface, "Finished", "uu", (ref MessageWriter writer) =>
            {
                writer.WriteUInt32(exit);
                writer.WriteUInt32(elapsed);
            });
        }

        _daemon.OnFinished(this, role, changedPackages);
    }

    /// <summary>Moves Status (and Percentage, AllowCancel) and announces what changed.</summary>
    private void SetStatus(uint status, uint? percentage = null, bool? allowCancel = null)
    {
        var changed = new List<string>(3);
        lock (_gate)
        {
            if (_status != status)
            {
                _status = status;
                changed.Add("Status");
            }

            if (percentage is uint p && p != _percentage)
            {
                _percentage = p;
                changed.Add("Percentage");
            }

            if (allowCancel is bool a && a != _allowCancel)
            {
                _allowCancel = a;
                changed.Add("AllowCancel");
            }
        }

        if (changed.Count > 0)
        {
            PropertiesChanged(changed);
        }
    }

    private void EmitPackage(uint info, string id, string summary)
    {
        lock (_signalOrder)
        {
            lock (_gate)
            {
                if (_finished)
                {
                    return;
                }

                _lastPackage = id;
            }

            Signals.Emit(Context.Connection, Path, PackageKitNames.TransactionInterface, "Package", "uss", (ref MessageWriter writer) =>
            {
                writer.WriteUInt32(info);
                writer.WriteString(id);
                writer.WriteString(summary);
            });
        }
    }

    private void Emit(string member, string signature, Api.DBus.MethodReplies.BodyWriter body)
    {
        lock (_signalOrder)
        {
            Signals.Emit(Context.Connection, Path, PackageKitNames.TransactionInterface, member, signature, body);
        }
    }

    /// <summary>The caller as polkit should see it, with the interactive hint it sent.</summary>
    private CallerIdentity Caller()
    {
        lock (_gate)
        {
            return _creator with { AllowInteraction = _interactive };
        }
    }
}
