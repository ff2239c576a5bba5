using System.CommandLine;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary>
/// <c>verify [PKG]...</c>: re-hashes store images and walks their SquashFS structure. Exit 0 when every image is
/// sound; otherwise 1, with one line per damaged image on stderr that says how to repair it.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var packages = new Argument<string[]>("PACKAGE") { Description = "name, name-arch or full name (default: every image in the store)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("verify", "check store images against their recorded sha256 and their SquashFS structure") { packages };
        command.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            string[] chosen = parse.GetValue(packages) ?? [];
            var results = await daemon.Api.VerifyAsync(chosen.Length == 0 ? null : chosen, ct);
            bool damaged = results.Any(r => !r.Ok);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(results, ProtocolJsonContext.Default.IReadOnlyListVerifyInfo);
                return damaged ? 1 : 0;
            }

            foreach (var result in results)
            {
                if (result.Ok)
                {
                    Console.WriteLine($"ok       {result.FullName}");
                }
                else
                {
                    Console.Error.WriteLine($"districtl: {result.FullName} is damaged: {result.Problem}; fix: {result.Fix}");
                }
            }

            return damaged ? 1 : 0;
        });
        return command;
    }
}
