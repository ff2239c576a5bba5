using System.CommandLine;
using System.Runtime.InteropServices;
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
        bool handlesSignals = parseResult.CommandResult.Command.Name != RunCommand.Name;
        // System.CommandLine registers its Ctrl-C handling only once the verb's action has returned its task, and an
        // action runs synchronously up to its first real wait: the call to the daemon is already sent by then. A
        // Ctrl-C in between killed districtl silently while the daemon cancelled the call. These registrations are in
        // place before the action starts and cancel the same token; System.CommandLine's then add the timeout.
        using var interrupted = new CancellationTokenSource();
        using var sigint = handlesSignals ? PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel) : null;
        using var sigterm = handlesSignals ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel) : null;
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }

        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Ctrl-C (SIGINT) and SIGTERM cancel the verb's token instead of killing the process: a daemon call
                // then sends $/cancelRequest and waits this long for the daemon's word (a transaction stops before
                // its commit, or completes). System.CommandLine 2.0 handles no signal unless this is set.
                // `run` waits for its command and handles signals itself (RunCommand).
                ProcessTerminationTimeout = handlesSignals ? TimeSpan.FromSeconds(5) : null,
            }, interrupted.Token);
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
