using System.CommandLine;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary><c>files PKG</c>, <c>owns PATH</c> and <c>why NAME</c>: what a package holds, who provides a path, why a package is there.</summary>
internal static class ContentCommands
{
    public static IEnumerable<Command> Create()
    {
        var package = new Argument<string>("PACKAGE") { Description = "name, name-arch or full name (an installed one first)" };
        var files = new Command("files", "list every path of a package's image") { package };
        files.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var result = await daemon.Api.FilesAsync(parse.GetValue(package)!, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(result, ProtocolJsonContext.Default.PackageFiles);
                return 0;
            }

            Console.WriteLine(result.Root);
            foreach (var file in result.Files)
            {
                string target = file.Target is null ? "" : " -> " + file.Target;
                string exchange = file.Exchange is null ? "" : $"  (as {file.Exchange})";
                Console.WriteLine($"{result.Root}/{file.Path}{target}{exchange}");
            }

            return 0;
        });
        yield return files;

        var path = new Argument<string>("PATH") { Description = "a path under the mountpoint, e.g. /ro/bin/ls" };
        var owns = new Command("owns", "show which package provides a path under /ro (and who lost a conflict for it)") { path };
        owns.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var owner = await daemon.Api.OwnsAsync(parse.GetValue(path)!, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(owner, ProtocolJsonContext.Default.OwnerInfo);
                return 0;
            }

            if (owner.Owner is null)
            {
                Console.WriteLine($"{owner.Path}: a directory merged from {string.Join(", ", owner.Providers)}");
                return 0;
            }

            Console.WriteLine(owner.Exchange ? $"{owner.Path}: {owner.Owner} ({owner.PackagePath})" : $"{owner.Path}: {owner.Owner}");
            if (owner.Losers.Count > 0)
            {
                Console.WriteLine($"  also provided by {string.Join(", ", owner.Losers)}, which lost the conflict ({owner.Reason})");
            }

            return 0;
        });
        yield return owns;

        var name = new Argument<string>("NAME") { Description = "an installed package: name, name-arch or full name" };
        var why = new Command("why", "show the dependency chains from explicitly installed packages to a package") { name };
        why.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var result = await daemon.Api.WhyAsync(parse.GetValue(name)!, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(result, ProtocolJsonContext.Default.WhyResult);
                return 0;
            }

            if (result.Explicit)
            {
                Console.WriteLine($"{result.FullName} is installed explicitly");
            }

            foreach (var chain in result.Chains.Where(c => c.Count > 1))
            {
                Console.WriteLine(string.Join(" -> ", chain));
            }

            return 0;
        });
        yield return why;
    }
}
