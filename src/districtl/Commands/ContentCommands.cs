using System.CommandLine;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary><c>files PKG</c>, <c>owns PATH</c> and <c>why NAME</c>: what a package holds, who provides a path, why a package is there.</summary>
internal static class ContentCommands
{
    public static IEnumerable<Command> Create()
    {
        var package = new Argument<string>("PACKAGE") { Description = "name, name-arch or full name (an installed one first)" };
        var files = new Command("files", "list every path of a package's image") { package };
        files.SetDaemonCall((api, parse, ct) => api.FilesAsync(parse.GetValue(package)!, ct), static json => json.PackageFiles, PrintFiles);
        yield return files;

        var path = new Argument<string>("PATH") { Description = "a path under the mountpoint, e.g. /ro/bin/ls" };
        var owns = new Command("owns", "show which package provides a path under /ro (and who lost a conflict for it)") { path };
        owns.SetDaemonCall((api, parse, ct) => api.OwnsAsync(parse.GetValue(path)!, ct), static json => json.OwnerInfo, PrintOwner);
        yield return owns;

        var name = new Argument<string>("NAME") { Description = "an installed package: name, name-arch or full name" };
        var why = new Command("why", "show the dependency chains from explicitly installed packages to a package") { name };
        why.SetDaemonCall((api, parse, ct) => api.WhyAsync(parse.GetValue(name)!, ct), static json => json.WhyResult, PrintWhy);
        yield return why;
    }

    private static void PrintFiles(PackageFiles result)
    {
        Console.WriteLine(result.Root);
        foreach (var file in result.Files)
        {
            string target = file.Target is null ? "" : " -> " + file.Target;
            string exchange = file.Exchange is null ? "" : $"  (as {file.Exchange})";
            Console.WriteLine($"{result.Root}/{file.Path}{target}{exchange}");
        }
    }

    private static void PrintOwner(OwnerInfo owner)
    {
        if (owner.Owner is null)
        {
            Console.WriteLine($"{owner.Path}: a directory merged from {string.Join(", ", owner.Providers)}");
            return;
        }

        Console.WriteLine(owner.Exchange ? $"{owner.Path}: {owner.Owner} ({owner.PackagePath})" : $"{owner.Path}: {owner.Owner}");
        if (owner.Losers.Count > 0)
        {
            Console.WriteLine($"  also provided by {string.Join(", ", owner.Losers)}, which lost the conflict ({owner.Reason})");
        }
    }

    private static void PrintWhy(WhyResult result)
    {
        if (result.Explicit)
        {
            Console.WriteLine($"{result.FullName} is installed explicitly");
        }

        foreach (var chain in result.Chains.Where(c => c.Count > 1))
        {
            Console.WriteLine(string.Join(" -> ", chain));
        }
    }
}
