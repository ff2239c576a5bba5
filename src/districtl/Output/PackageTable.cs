using Distrid.Protocol;
using Spectre.Console;

namespace Districtl.Output;

/// <summary>Packages as a table for people (plain rows when stdout is not a terminal).</summary>
internal static class PackageTable
{
    public static void Print(IReadOnlyList<PackageInfo> packages)
    {
        if (Console.IsOutputRedirected)
        {
            foreach (var p in packages)
            {
                Console.WriteLine($"{p.FullName}\t{p.Size}\t{p.Summary}");
            }

            return;
        }

        var table = new Table().AddColumns("package", "version", "size", "summary");
        foreach (var p in packages)
        {
            table.AddRow(Markup.Escape(p.Name), Markup.Escape($"{p.Version}-{p.Revision}"), Units.Bytes(p.Size), Markup.Escape(p.Summary));
        }

        AnsiConsole.Write(table);
    }
}
