using System.CommandLine;
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
        search.SetDaemonCall(
            (api, parse, ct) => api.SearchAsync(parse.GetValue(term)!, ct), static json => json.IReadOnlyListPackageInfo, found => PackageTable.Print(found));
        yield return search;

        var package = new Argument<string>("PACKAGE") { Description = "name, name-arch or full name" };
        var info = new Command("info", "show one package") { package };
        info.SetDaemonCall(
            (api, parse, ct) => api.InfoAsync(parse.GetValue(package)!, ct),
            static json => json.PackageInfo,
            p => Console.WriteLine($"{p.FullName}\n  summary:      {p.Summary}\n  size:         {Units.Bytes(p.Size)}\n  installed:    {(p.Installed ? "yes" : "no")}\n  in store:     {(p.InStore ? "yes" : "no")}\n  dependencies: {string.Join(", ", p.Dependencies)}"));
        yield return info;

        var generations = new Command("generations", "list generations (the current one is marked)");
        generations.SetDaemonCall((api, _, ct) => api.GenerationsAsync(ct), static json => json.IReadOnlyListGenerationInfo, PrintGenerations);
        yield return generations;
    }

    private static void PrintGenerations(IReadOnlyList<GenerationInfo> list)
    {
        var table = new Table().AddColumns("", "generation", "created", "packages", "what");
        foreach (var g in list)
        {
            table.AddRow(g.Current ? "*" : "", g.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Created.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), g.Packages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(g.Description));
        }

        AnsiConsole.Write(table);
    }
}
