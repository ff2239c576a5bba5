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

        return root;
    }

    private static IEnumerable<Command> Commands()
    {
        yield return StatusCommand.Create();
        yield return ListCommand.Create();
        foreach (var command in QueryCommands.Create().Concat(TransactionCommands.Create()).Concat(ContentCommands.Create()).Concat(HistoryCommands.Create()).Append(VerifyCommand.Create()).Append(RunCommand.Create()))
        {
            yield return command;
        }

        yield return PackCommand.Create();
        yield return UnpackCommand.Create();
        yield return KeygenCommand.Create();
        var repo = RepoBuildCommand.Create();
        repo.Add(RepoImportAptCommand.Create());
        foreach (var command in RepoCommands.Create())
        {
            repo.Add(command);
        }

        yield return repo;
        yield return ImportDebCommand.Create();
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parseResult = BuildRootCommand().Parse(args);
        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Ctrl-C (SIGINT) and SIGTERM cancel the verb's token instead of killing the process: a daemon call
                // then sends $/cancelRequest and waits this long for the daemon's word (a transaction stops before
                // its commit, or completes). System.CommandLine 2.0 handles no signal unless this is set.
                // `run` waits for its command and handles signals itself (RunCommand).
                ProcessTerminationTimeout = parseResult.CommandResult.Command.Name == RunCommand.Name ? null : TimeSpan.FromSeconds(5),
            });
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
