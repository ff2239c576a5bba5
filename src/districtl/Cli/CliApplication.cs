using System.CommandLine;
using Districtl.Commands;

namespace Districtl.Cli;

/// <summary>Builds the command tree and runs it, mapping every expected failure to one line on stderr.</summary>
internal static class CliApplication
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("districtl: install, remove, update and roll back Distrid packages")
        {
            GlobalOptions.Socket,
            GlobalOptions.Json,
        };
        foreach (var command in Commands())
        {
            root.Add(command);
        }

#if DISTRICTL_THIN
        // Without their actions compiled in, the offline verbs are reached here only when OfflineVerbs could not tell
        // from the words (a response file): they go to the tool all the same.
        foreach (var command in OfflineVerbs.In(root))
        {
            command.SetAction(_ => OfflineTool.Exec(Environment.GetCommandLineArgs()[1..]));
        }
#endif
        return root;
    }

    /// <summary>
    /// Every verb, in the order help lists them. The tools flavour (districtl-tools, which the thin client hands the
    /// offline verbs to) builds only those: Native AOT then leaves the daemon verbs' code out of it.
    /// </summary>
    private static IEnumerable<Command> Commands()
    {
#if !DISTRICTL_TOOLS
        yield return StatusCommand.Create();
        yield return ListCommand.Create();
        foreach (var command in QueryCommands.Create().Concat(TransactionCommands.Create()).Append(UpdateCommand.Create()).Concat(ContentCommands.Create()).Concat(HistoryCommands.Create()).Append(VerifyCommand.Create()).Append(RunCommand.Create()))
        {
            yield return command;
        }
#endif

        yield return PackCommand.Create();
        yield return UnpackCommand.Create();
        yield return KeygenCommand.Create();
        var repo = RepoBuildCommand.Create();
        repo.Add(RepoImportAptCommand.Create());
#if !DISTRICTL_TOOLS
        foreach (var command in RepoCommands.Create())
        {
            repo.Add(command);
        }
#endif

        yield return repo;
        yield return ImportDebCommand.Create();
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parseResult = BuildRootCommand().Parse(args);
        // `run` waits for its command and passes signals on to it itself (RunCommand).
        if (parseResult.CommandResult.Command.Name == RunCommand.Name)
        {
            return await InvokeAsync(parseResult, CancellationToken.None);
        }

        using var signals = new TerminationSignals();
        var invocation = InvokeAsync(parseResult, signals.Token);
        if (await Task.WhenAny(invocation, signals.GaveUp) == invocation)
        {
            return await invocation;
        }

        await Console.Error.WriteLineAsync($"districtl: cancelled; the daemon did not answer within {TerminationSignals.Wait.TotalSeconds:0} s");
        return await signals.GaveUp;
    }

    private static async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        try
        {
            // Signals are TerminationSignals' business, not System.CommandLine's (ProcessTerminationTimeout unset).
            return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("districtl: cancelled");
            return 130;
        }
        catch (Exception e) when (UserError.IsExpected(e))
        {
            await Console.Error.WriteLineAsync($"districtl: {UserError.Describe(e)}");
            return 1;
        }
    }
}
