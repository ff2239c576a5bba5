using System.CommandLine;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;
using Spectre.Console;

namespace Districtl.Commands;

/// <summary>The daemon-backed read-only verbs besides status and list: search, info, generations.</summary>
internal static class QueryCommands
{
    public static IEnumerable<Command> Create()
    {
        var term = new Argument<string>("TERM") { Description = "part of a name or summary" };
        var search = new Command("search", "find packages by name or summary") { term };
        search.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var found = await daemon.Api.SearchAsync(parse.GetValue(term)!, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(found, ProtocolJsonContext.Default.IReadOnlyListPackageInfo);
            }
            else
            {
                PackageTable.Print(found);
            }

            return 0;
        });
        yield return search;

        var package = new Argument<string>("PACKAGE") { Description = "name, name-arch or full name" };
        var info = new Command("info", "show one package") { package };
        info.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var p = await daemon.Api.InfoAsync(parse.GetValue(package)!, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(p, ProtocolJsonContext.Default.PackageInfo);
                return 0;
            }

            Console.WriteLine($"{p.FullName}\n  summary:      {p.Summary}\n  size:         {Units.Bytes(p.Size)}\n  installed:    {(p.Installed ? "yes" : "no")}\n  in store:     {(p.InStore ? "yes" : "no")}\n  dependencies: {string.Join(", ", p.Dependencies)}");
            return 0;
        });
        yield return info;

        var generations = new Command("generations", "list generations (the current one is marked)");
        generations.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var list = await daemon.Api.GenerationsAsync(ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(list, ProtocolJsonContext.Default.IReadOnlyListGenerationInfo);
                return 0;
            }

            var table = new Table().AddColumns("", "generation", "created", "packages", "what");
            foreach (var g in list)
            {
                table.AddRow(g.Current ? "*" : "", g.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Created.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), g.Packages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(g.Description));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        yield return generations;
    }
}
