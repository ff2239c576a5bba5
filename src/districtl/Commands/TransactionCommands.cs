using System.CommandLine;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary>
/// The daemon-backed mutating verbs: install, remove, rollback, gc, pin, unpin (update: <see cref="UpdateCommand"/>). Each takes --dry-run. Ctrl-C
/// before the commit cancels the transaction on the daemon (nothing changes); once the commit began it completes.
/// </summary>
internal static class TransactionCommands
{
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "show what would change; change nothing" };

    private static readonly Option<bool> Detach = new("--detach")
    {
        Description = "keep the transaction running if districtl is interrupted or killed (status shows it); without it, losing districtl cancels it",
    };

    public static IEnumerable<Command> Create()
    {
        var packages = new Argument<string[]>("PACKAGE") { Description = "name, name-arch, full name, or (install) a path to an image", Arity = ArgumentArity.OneOrMore };
        var reinstall = new Option<bool>("--reinstall") { Description = "fetch the images again even if the store has them (repairs what 'verify' finds damaged)" };
        yield return Verb("install", "install packages and what they need", [packages, Detach, reinstall], (api, p, progress, ct) =>
            api.InstallAsync(p.GetValue(packages)!, p.GetValue(DryRun), detached: p.GetValue(Detach), reinstall: p.GetValue(reinstall), progress: progress, cancellationToken: ct));

        var removals = new Argument<string[]>("PACKAGE") { Description = "name, name-arch or full name", Arity = ArgumentArity.OneOrMore };
        yield return Verb("remove", "remove packages and what only they needed", [removals], (api, p, progress, ct) =>
            api.RemoveAsync(p.GetValue(removals)!, p.GetValue(DryRun), progress, ct));

        var generation = new Argument<int?>("GEN") { Description = "generation to make current (default: the previous one)", Arity = ArgumentArity.ZeroOrOne };
        yield return Verb("rollback", "make an earlier generation current again", [generation], (api, p, progress, ct) =>
            api.RollbackAsync(p.GetValue(generation), p.GetValue(DryRun), progress, ct));

        var keep = new Option<int>("--keep") { Description = "how many of the newest generations to keep (the current one always stays)", DefaultValueFactory = _ => ProtocolDefaults.GcKeep };
        yield return Verb("gc", "delete old generations and images no kept generation needs", [keep], (api, p, progress, ct) =>
            api.GcAsync(p.GetValue(keep), p.GetValue(DryRun), progress, ct));

        var pinName = new Argument<string>("NAME") { Description = "package name" };
        var pinFull = new Argument<string>("FULLNAME") { Description = "the full name to hold it at" };
        yield return Verb("pin", "hold a package at one full name", [pinName, pinFull], (api, p, progress, ct) =>
            api.PinAsync(p.GetValue(pinName)!, p.GetValue(pinFull)!, p.GetValue(DryRun), progress, ct));

        var unpinName = new Argument<string>("NAME") { Description = "package name" };
        yield return Verb("unpin", "release a pin", [unpinName], (api, p, progress, ct) =>
            api.UnpinAsync(p.GetValue(unpinName)!, p.GetValue(DryRun), progress, ct));
    }

    private static Command Verb(
        string name, string description, Symbol[] symbols, Func<IDistridApi, ParseResult, IProgress<ProgressInfo>?, CancellationToken, Task<TransactionResult>> call)
    {
        var command = new Command(name, description) { DryRun };
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Add(argument);
                    break;
                case Option option:
                    command.Add(option);
                    break;
            }
        }

        command.SetAction(async (parse, ct) =>
        {
            bool json = parse.GetValue(GlobalOptions.Json);
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var (result, watch) = await TransactionReporter.RunAsync(json, progress => call(daemon.Api, parse, progress, ct));
            if (json)
            {
                JsonOutput.Write(result, ProtocolJsonContext.Default.TransactionResult);
            }
            else
            {
                TransactionReporter.Print(result, watch);
            }

            return 0;
        });
        return command;
    }
}
