using Distrid.Protocol;
using Spectre.Console;

namespace Districtl.Output;

/// <summary>Packages as a table for people (plain rows when stdout is not a terminal).</summary>
internal static class PackageTable
{
    /// <param name="packages">What to show.</param>
    /// <param name="marks">Say for each package whether it was installed explicitly or only as a dependency.</param>
    public static void Print(IReadOnlyList<PackageInfo> packages, bool marks = false)
    {
        if (Console.IsOutputRedirected)
        {
            foreach (var p in packages)
            {
                Console.WriteLine(marks ? $"{p.FullName}\t{p.Size}\t{p.Summary}\t{Mark(p)}" : $"{p.FullName}\t{p.Size}\t{p.Summary}");
            }

            return;
        }

        var table = new Table().AddColumns("package", "version", "size", "summary");
        if (marks)
        {
            table.AddColumn("installed");
        }

        foreach (var p in packages)
        {
            string[] cells = [Markup.Escape(p.Name), Markup.Escape($"{p.Version}-{p.Revision}"), Units.Bytes(p.Size), Markup.Escape(p.Summary)];
            table.AddRow(marks ? [.. cells, Mark(p)] : cells);
        }

        AnsiConsole.Write(table);
    }

    private static string Mark(PackageInfo p) => p.Explicit ? "explicit" : "dependency";
}
