using System.CommandLine;
using Districtl.Output;

namespace Districtl.Commands;

/// <summary><c>districtl list [--available]</c>: installed packages, or what the repositories offer.</summary>
internal static class ListCommand
{
    private static readonly Option<bool> Available = new("--available") { Description = "list what the repositories offer" };

    public static Command Create()
    {
        var command = new Command("list", "list installed packages") { Available };
        command.SetDaemonCall(
            (api, parse, ct) => api.ListAsync(parse.GetValue(Available), ct),
            static json => json.IReadOnlyListPackageInfo,
            (packages, parse) => PackageTable.Print(packages, marks: !parse.GetValue(Available)));
        return command;
    }
}
