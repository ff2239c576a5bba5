using System.CommandLine;
using Districtl.Output;
using Distrid.Protocol;
using Spectre.Console;

namespace Districtl.Commands;

/// <summary><c>districtl status</c>: the mount, the store and any exchange-directory conflicts.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "show the daemon's mount, store and conflicts");
        command.SetDaemonCall((api, _, ct) => api.StatusAsync(ct), static json => json.StatusResult, Print);
        return command;
    }

    private static void Print(StatusResult s)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("mount", $"{Markup.Escape(s.Mountpoint)} ({(s.Mounted ? "[green]mounted[/]" : "[red]not mounted[/]")})");
        grid.AddRow("store", $"{Markup.Escape(s.Store)}: {s.PackageCount} packages, {Units.Bytes(s.StoreBytes)}");
        grid.AddRow("daemon", Markup.Escape(s.Version));
        if (s.Transaction is not null)
        {
            string who = s.TransactionStartedBy is null ? "" : $", started by {s.TransactionStartedBy}";
            grid.AddRow("transaction", Markup.Escape($"{s.Transaction} ({(s.TransactionDetached ? "detached" : "running")}{who})"));
        }
        AnsiConsole.Write(grid);
        foreach (var broken in s.BrokenImages)
        {
            AnsiConsole.MarkupLine($"[red]broken image[/] {Markup.Escape(broken.FullName)}: {Markup.Escape(broken.Error)}");
        }

        if (s.Conflicts.Count > 0)
        {
            var table = new Table().AddColumns("path", "provided by", "also in", "why");
            foreach (var c in s.Conflicts)
            {
                table.AddRow(Markup.Escape(c.Path), Markup.Escape(c.Winner), Markup.Escape(string.Join(", ", c.Losers)), c.Reason);
            }

            AnsiConsole.MarkupLine($"[yellow]{s.Conflicts.Count} conflicts in the exchange directories[/]");
            AnsiConsole.Write(table);
        }
    }
}
