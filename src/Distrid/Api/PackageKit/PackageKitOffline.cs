using Distrid.Api.Authorization;
using Distrid.Api.DBus;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>
/// <c>org.freedesktop.PackageKit.Offline</c> on <c>/org/freedesktop/PackageKit</c>: the offline-update flow GNOME
/// Software uses for OS updates. An UpdatePackages with ONLY_DOWNLOAD prepares (the images are verified in the store;
/// the ids go into <c>prepared-update</c>). <c>Trigger</c> applies the prepared update at once, as one atomic
/// generation, and writes the results file that clients read after their reboot: our updates need no reboot and no
/// <c>/system-update</c> boot (which would stall a machine without an offline updater), so nothing is ever left
/// triggered. <c>Cancel</c> therefore has nothing to cancel; <c>districtl rollback</c> undoes an applied update.
/// </summary>
internal sealed class PackageKitOffline(PackageKitContext context, Action updatesChanged)
{
    public static readonly string[] PropertyNames =
        ["UpdatePrepared", "UpdateTriggered", "UpgradePrepared", "UpgradeTriggered", "PreparedUpgrade", "TriggerAction"];

    private readonly SemaphoreSlim _applying = new(1, 1);

    public OfflineUpdateFiles Files { get; } = new(context.Options.PackageKitState);

    public void HandleMethod(MethodContext call)
    {
        switch (call.Request.MemberAsString, call.Request.SignatureAsString ?? "")
        {
            case ("GetPrepared", ""):
                var ids = Files.ReadPrepared();
                if (ids.Count == 0)
                {
                    call.ReplyError(PackageKitNames.ErrorOfflineNoData, "No offline updates have been prepared");
                    return;
                }

                MethodReplies.Reply(call, "as", (ref MessageWriter writer) => writer.WriteArray(ids));
                return;
            case ("Trigger", "s"):
                MethodReplies.RunDetached(call, context.Logger, TriggerAsync);
                return;
            case ("Cancel", ""):
                MethodReplies.RunDetached(call, context.Logger, c => AuthorizedAsync(c, PackageKitActions.TriggerOffline, () => { }));
                return;
            case ("ClearResults", ""):
                MethodReplies.RunDetached(call, context.Logger, c => AuthorizedAsync(c, PackageKitActions.ClearOffline, Files.DeleteResults));
                return;
            case ("TriggerUpgrade", "s"):
                call.ReplyError(PackageKitNames.ErrorNotSupported, "distrid has no system upgrades to prepare: every update is a package update");
                return;
            default:
                return; // unknown: disposing unreplied answers UnknownMethod
        }
    }

    public void WriteProperty(ref MessageWriter writer, string name)
    {
        switch (name)
        {
            case "UpdatePrepared": writer.WriteVariantBool(Files.Prepared); break;
            case "PreparedUpgrade":
                writer.WriteSignature("a{sv}");
                writer.WriteDictionaryEnd(writer.WriteDictionaryStart());
                break;
            case "TriggerAction": writer.WriteVariantString("unset"); break;
            default: writer.WriteVariantBool(false); break; // UpdateTriggered, Upgrade*: a trigger applies at once
        }
    }

    /// <summary>
    /// Keeps the prepared update only while every id in it is still an update on offer (after a refresh or a change,
    /// as packagekitd does): a stale prepared update would install something older than what the user has.
    /// </summary>
    public void Revalidate(PackageRows rows)
    {
        var prepared = Files.ReadPrepared();
        if (prepared.Count == 0)
        {
            return;
        }

        var offered = rows.Updates().Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        if (!prepared.All(offered.Contains))
        {
            Files.DeletePrepared();
            EmitPreparedChanged();
        }
    }

    /// <summary>An ONLY_DOWNLOAD update succeeded: what Trigger will apply.</summary>
    public void Prepare(IReadOnlyList<string> ids)
    {
        Files.WritePrepared(ids);
        EmitPreparedChanged();
    }

    private async Task TriggerAsync(MethodContext call)
    {
        string action = call.Request.GetBodyReader().ReadString();
        if (action is not ("reboot" or "power-off"))
        {
            call.ReplyError(DBusErrors.InvalidArgs, "Trigger takes \"reboot\" or \"power-off\"");
            return;
        }

        var caller = await CallerAsync(call);
        await context.Runner.AuthorizeAsync(caller, PackageKitActions.TriggerOffline, call.RequestAborted);
        if (!await _applying.WaitAsync(0))
        {
            call.ReplyError(PackageKitNames.ErrorOfflineFailed, "the prepared update is being applied already");
            return;
        }

        try
        {
            var prepared = Files.ReadPrepared();
            if (prepared.Count == 0)
            {
                call.ReplyError(PackageKitNames.ErrorOfflineNoData, "No offline updates have been prepared");
                return;
            }

            string? failure = await ApplyAsync(caller, prepared);
            if (failure is not null)
            {
                call.ReplyError(PackageKitNames.ErrorOfflineFailed, failure);
                return;
            }

            MethodReplies.Reply(call, null, static (ref MessageWriter _) => { });
        }
        finally
        {
            _applying.Release();
        }
    }

    /// <summary>Applies the prepared ids through the same path as UpdatePackages; returns the failure, or null.</summary>
    private async Task<string?> ApplyAsync(CallerIdentity caller, IReadOnlyList<string> prepared)
    {
        var rows = new PackageRows(await context.Queries.ListAsync(available: true, CancellationToken.None));
        var missing = prepared.FirstOrDefault(id => rows.ById(id) is null);
        if (missing is not null)
        {
            Files.DeletePrepared();
            EmitPreparedChanged();
            return Fail(PkError.NotFound, $"the prepared package {Distri.Core.Text.EchoText.Cap(missing)} is no longer offered; prepare the update again");
        }

        var fullNames = prepared.Select(id => rows.ById(id)!).Where(p => !p.Installed).Select(p => p.FullName).ToList();
        try
        {
            if (fullNames.Count > 0)
            {
                // Authorized above under trigger-offline-update, the action admins' rules for offline updates name.
                var request = MutationRequests.Install(fullNames, caller, TransactionMode.Commit) with { ActionId = PackageKitActions.TriggerOffline };
                await context.Runner.RunAsync(request, caller, null, CancellationToken.None);
            }
        }
        catch (TransactionException e)
        {
            return Fail(PackageKitTransaction.ErrorOf(e.Error), e.Message);
        }

        Files.DeletePrepared();
        Files.WriteSuccess(prepared);
        context.Logger.LogInformation("offline update applied at Trigger for {Caller}: {Packages}", caller, string.Join(", ", fullNames));
        EmitPreparedChanged();
        updatesChanged();
        return null;
    }

    /// <summary>The prepared update stays (it can be triggered again); the results file says why it failed.</summary>
    private string Fail(uint code, string message)
    {
        Files.WriteFailure(PkError.Name(code), message);
        return message;
    }

    private async Task AuthorizedAsync(MethodContext call, string action, Action change)
    {
        await context.Runner.AuthorizeAsync(await CallerAsync(call), action, call.RequestAborted);
        change();
        MethodReplies.Reply(call, null, static (ref MessageWriter _) => { });
    }

    private Task<CallerIdentity> CallerAsync(MethodContext call) =>
        context.Callers.ResolveAsync(call.Request.SenderAsString!, (call.Request.MessageFlags & MessageFlags.AllowInteractiveAuthorization) != 0);

    private void EmitPreparedChanged() =>
        Signals.PropertiesChanged(context.Connection, PackageKitNames.DaemonPath, PackageKitNames.OfflineInterface, ["UpdatePrepared"], WriteProperty);
}
