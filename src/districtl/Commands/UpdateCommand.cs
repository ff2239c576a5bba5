using System.CommandLine;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary>
/// <c>update</c>: move every package to its newest revision; <c>--download-only</c> prepares that update (fetched and
/// verified, no new generation) and <c>--apply-downloaded</c> commits exactly what was prepared. <c>--scheduled</c> is
/// the run distrid-update.service starts: the daemon's configured policy decides whether to apply.
/// </summary>
internal static class UpdateCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "show what would change; change nothing" };
        var detach = new Option<bool>("--detach")
        {
            Description = "keep the transaction running if districtl is interrupted or killed (status shows it); without it, losing districtl cancels it",
        };
        var downloadOnly = new Option<bool>("--download-only") { Description = "fetch and verify everything the update needs; commit no generation (apply later with --apply-downloaded)" };
        var applyDownloaded = new Option<bool>("--apply-downloaded") { Description = "commit exactly the update --download-only prepared, if it is complete and still applies" };
        var scheduled = new Option<bool>("--scheduled")
        {
            Description = "one scheduled run as distrid-update.service does it (root): download, then apply if the daemon's scheduledUpdate policy says so",
        };
        var command = new Command("update", "move every package to its newest revision (pins stay)") { dryRun, detach, downloadOnly, applyDownloaded, scheduled };
        command.SetAction(async (parse, ct) =>
        {
            bool json = parse.GetValue(GlobalOptions.Json);
            bool prepare = parse.GetValue(downloadOnly);
            bool apply = parse.GetValue(applyDownloaded);
            if (prepare && apply)
            {
                throw new UserError("--download-only and --apply-downloaded exclude each other: prepare first, then apply");
            }

            if (parse.GetValue(scheduled))
            {
                if (prepare || apply || parse.GetValue(dryRun) || parse.GetValue(detach))
                {
                    throw new UserError("--scheduled takes no other update option: the daemon's scheduledUpdate policy decides");
                }

                return await RunScheduledAsync(parse, json, ct);
            }

            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var (result, watch) = await TransactionReporter.RunAsync(json, progress =>
                daemon.Api.UpdateAsync(parse.GetValue(dryRun), prepare, parse.GetValue(detach), apply, progress, ct));
            if (json)
            {
                JsonOutput.Write(result, ProtocolJsonContext.Default.TransactionResult);
            }
            else if (result.DownloadOnly)
            {
                PrintPrepared(result);
            }
            else
            {
                TransactionReporter.Print(result, watch);
            }

            return 0;
        });
        return command;
    }

    private static async Task<int> RunScheduledAsync(ParseResult parse, bool json, CancellationToken ct)
    {
        await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
        var result = await daemon.Api.ScheduledUpdateAsync(null, ct);
        if (json)
        {
            JsonOutput.Write(result, ProtocolJsonContext.Default.ScheduledUpdateResult);
            return 0;
        }

        // Plain lines: under systemd they are the run's record in the journal, beside the daemon's own.
        if (result.Download.Changed)
        {
            PrintPrepared(result.Download);
        }

        if (result.Apply is { } applied)
        {
            TransactionReporter.Print(applied);
        }

        if (result.Gc is { Changed: true } gc)
        {
            TransactionReporter.Print(gc);
        }

        if (result.GcError is { } error)
        {
            Console.WriteLine($"warning: gc after the update failed: {error}");
        }

        Console.WriteLine(result.Message);
        return 0;
    }

    private static void PrintPrepared(TransactionResult r)
    {
        if (!r.Changed)
        {
            Console.WriteLine($"{r.Description} --download-only: nothing to do (generation {r.Generation})");
            return;
        }

        foreach (string p in r.Added)
        {
            Console.WriteLine($"  add     {p}");
        }

        foreach (string p in r.Removed)
        {
            Console.WriteLine($"  remove  {p}");
        }

        Console.WriteLine($"{r.Description} --download-only: {r.Downloaded.Count} images downloaded and verified ({Units.Bytes(r.DownloadBytes)}); "
            + $"generation {r.PreviousGeneration} stays current; apply with 'districtl update --apply-downloaded'");
    }
}
