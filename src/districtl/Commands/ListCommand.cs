using System.CommandLine;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary><c>districtl list [--available]</c>: installed packages, or what the repositories offer.</summary>
internal static class ListCommand
{
    private static readonly Option<bool> Available = new("--available") { Description = "list what the repositories offer" };

    public static Command Create()
    {
        var command = new Command("list", "list installed packages") { Available };
        command.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var packages = await daemon.Api.ListAsync(parse.GetValue(Available), ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(packages, ProtocolJsonContext.Default.IReadOnlyListPackageInfo);
                return 0;
            }

            PackageTable.Print(packages, marks: !parse.GetValue(Available));
            return 0;
        });
        return command;
    }
}
