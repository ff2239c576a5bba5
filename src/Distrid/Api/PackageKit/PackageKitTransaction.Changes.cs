using Distrid.Api.DBus;
using Distrid.Protocol;
using Distrid.Transactions;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>
/// The roles that change something: each becomes the <see cref="MutationRequest"/> our other front ends build
/// (<see cref="MutationRequests"/>) under PackageKit's polkit action, and runs through <see cref="MutationRunner"/>.
/// SIMULATE is a dry run, ONLY_DOWNLOAD fetches into the store without a generation.
/// </summary>
internal sealed partial class PackageKitTransaction
{
    private async Task<bool> InstallAsync(ulong flags, string[] ids, uint role)
    {
        var rows = await RowsAsync();
        var packages = ids.Select(id => Lookup(rows, id)).ToList();
        bool reinstall = role == PkRole.InstallPackages && PkFlag.Has(flags, PkFlag.AllowReinstall);
        if (role == PkRole.InstallPackages && !reinstall && packages.FirstOrDefault(p => p.Installed) is { } installed)
        {
            throw new PackageKitException(PkError.AlreadyInstalled, $"{installed.FullName} is already installed");
        }

        // packagekitd's choice of action (pk_transaction_role_to_actions): without ONLY_TRUSTED only the untrusted one.
        bool trusted = PkFlag.Has(flags, PkFlag.OnlyTrusted);
        string action = !trusted && role != PkRole.DownloadPackages ? PackageKitActions.InstallUntrusted
            : reinstall ? PackageKitActions.Reinstall
            : role == PkRole.UpdatePackages ? PackageKitActions.Update
            : PackageKitActions.Install;
        var request = MutationRequests.Install([.. packages.Select(p => p.FullName)], Caller(), ModeOf(flags), reinstall) with
        {
            ActionId = action,
            PreparationUnchecked = true,
        };
        var outcome = await RunChangeAsync(request, role);
        Report(outcome, rows);
        if (reinstall && !outcome.DownloadOnly)
        {
            // The generation keeps the same packages: the rows say which images were fetched again.
            foreach (var package in packages.Where(p => p.Installed))
            {
                EmitOutcome(rows, package.FullName, PkInfo.Reinstalling);
            }
        }

        if (role == PkRole.DownloadPackages && !outcome.DryRun)
        {
            EmitImages(ids, packages);
        }

        if (role == PkRole.UpdatePackages && outcome.DownloadOnly)
        {
            // What Offline.Trigger applies; GNOME Software watches this file for "updates ready to install".
            _daemon.Offline.Prepare(ids);
        }

        return Committed(outcome);
    }

    /// <summary>DownloadPackages' answer: where each package is now, its verified image in the store (pkcon download copies it).</summary>
    private void EmitImages(string[] ids, List<PackageInfo> packages)
    {
        var stored = Context.Store.Scan().ToDictionary(p => p.FullName, p => p.ImagePath, StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++)
        {
            string id = ids[i];
            if (stored.TryGetValue(packages[i].FullName, out string? image))
            {
                Emit("Files", "sas", (ref MessageWriter writer) =>
                {
                    writer.WriteString(id);
                    writer.WriteArray(new[] { image });
                });
            }
        }
    }

    private async Task<bool> RemoveAsync(ulong flags, string[] ids)
    {
        var rows = await RowsAsync();
        var packages = ids.Select(id => Lookup(rows, id)).ToList();
        if (packages.FirstOrDefault(p => !p.Installed) is { } missing)
        {
            throw new PackageKitException(PkError.NotInstalled, $"{missing.FullName} is not installed");
        }

        var request = MutationRequests.Remove([.. packages.Select(p => p.FullName)], ModeOf(flags)) with
        {
            ActionId = PackageKitActions.Remove,
            PreparationUnchecked = true,
        };
        var outcome = await RunChangeAsync(request, PkRole.RemovePackages);
        Report(outcome, rows);
        return Committed(outcome);
    }

    private async Task<bool> RefreshAsync()
    {
        SetStatus(PkStatus.WaitingForAuth);
        await Context.Runner.AuthorizeAsync(Caller(), PackageKitActions.Refresh, _cancel.Token);
        SetStatus(PkStatus.RefreshCache);
        await Context.Transactions.AvailableAsync(_cancel.Token);
        return true;
    }

    /// <summary>Whether a new generation is live (what clients hear as UpdatesChanged).</summary>
    private static bool Committed(TransactionResult outcome) => outcome.Changed && !outcome.DryRun && !outcome.DownloadOnly;

    /// <summary>After a refresh or a new generation: a prepared offline update that is no longer an update on offer is dropped.</summary>
    private async Task RevalidatePreparedAsync()
    {
        if (_daemon.Offline.Files.Prepared)
        {
            _daemon.Offline.Revalidate(new PackageRows(await Context.Queries.ListAsync(available: true, CancellationToken.None)));
        }
    }

    private static TransactionMode ModeOf(ulong flags) =>
        PkFlag.Has(flags, PkFlag.Simulate) ? TransactionMode.DryRun
        : PkFlag.Has(flags, PkFlag.OnlyDownload) ? TransactionMode.DownloadOnly
        : TransactionMode.Commit;

    private Task<TransactionResult> RunChangeAsync(MutationRequest request, uint role)
    {
        SetStatus(PkStatus.WaitingForAuth);
        return Context.Runner.RunAsync(request, Caller(), new Relay(this, role), _cancel.Token);
    }

    /// <summary>What happened, as Package rows: downloaded, installed or updated, removed (or, simulated, would be).</summary>
    private void Report(TransactionResult outcome, PackageRows rows)
    {
        if (!outcome.DryRun)
        {
            foreach (string fullName in outcome.Downloaded)
            {
                EmitOutcome(rows, fullName, PkInfo.Downloading);
            }
        }

        if (outcome.DownloadOnly)
        {
            return;
        }

        var added = outcome.Added.Select(f => rows.ByFullName(f)).OfType<PackageInfo>().ToList();
        foreach (var package in added)
        {
            bool replaces = outcome.Removed.Select(rows.ByFullName).Any(r => r is not null && r.Name == package.Name && r.Arch == package.Arch);
            EmitOutcome(rows, package.FullName, replaces ? PkInfo.Updating : PkInfo.Installing);
        }

        foreach (string fullName in outcome.Removed)
        {
            var package = rows.ByFullName(fullName);
            if (package is not null && !added.Any(a => a.Name == package.Name && a.Arch == package.Arch))
            {
                EmitOutcome(rows, fullName, PkInfo.Removing);
            }
        }
    }

    private void EmitOutcome(PackageRows rows, string fullName, uint info) =>
        EmitPackage(info, rows.IdOf(fullName) ?? fullName, rows.ByFullName(fullName)?.Summary ?? "");

    private void OnProgress(ProgressInfo progress, uint role)
    {
        uint status = progress.Phase switch
        {
            "resolve" => PkStatus.DepResolve,
            "download" => PkStatus.Download,
            "commit" => role switch
            {
                PkRole.RemovePackages => PkStatus.Remove,
                PkRole.UpdatePackages => PkStatus.Update,
                _ => PkStatus.Install,
            },
            _ => PkStatus.Running,
        };
        bool commit = progress.Phase == "commit";
        lock (_signalOrder)
        {
            lock (_gate)
            {
                if (_finished)
                {
                    return;
                }
            }

            SetStatus(status, progress.Phase == "download" ? Math.Min(99, ProgressThrottle.Percent(progress)) : null, allowCancel: !commit);
        }
    }

    /// <summary>Reports synchronously on the reporting thread, so reports keep their order where the source keeps it.</summary>
    private sealed class Relay(PackageKitTransaction owner, uint role) : IProgress<ProgressInfo>
    {
        public void Report(ProgressInfo value) => owner.OnProgress(value, role);
    }
}
