using System.CommandLine;
using System.Runtime.InteropServices;
using Distri.Core.Packages;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Namespaces;

namespace Districtl.Commands;

/// <summary>
/// <c>run [--with FULLNAME|NAME=FULLNAME]... -- COMMAND [ARG]...</c>: runs COMMAND with the exchange directories
/// (/ro/bin, /ro/lib, ...) showing the chosen store packages first, in a mount namespace of its own. The daemon
/// builds the view and keeps it while this process holds its connection; districtl waits for the command and exits
/// with its status (128 + N when signal N ended it).
/// </summary>
internal static class RunCommand
{
    public const string Name = "run";

    /// <summary>The command's own exit status when it could not be started, as a shell says it.</summary>
    private const int NotStarted = 127;

    public static Command Create()
    {
        var with = new Option<string[]>("--with")
        {
            Description = $"a store package to show first: FULLNAME, or NAME=FULLNAME to show it instead of package NAME (at most {PackageChoice.MaxPerView})",
            HelpName = "FULLNAME|NAME=FULLNAME",
        };
        var command = new Argument<string[]>("COMMAND") { Description = "the command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var run = new Command(Name, "run a command with chosen packages first in /ro/bin, /ro/lib, ... (a private mount namespace; needs root)") { with, command };
        run.SetAction(async (parse, ct) =>
        {
            string[] specs = parse.GetValue(with) ?? [];
            string[] argv = parse.GetValue(command)!;
            _ = PackageChoice.ParseAll(specs, out string? error) ?? throw new UserError(error!);
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            // The view lives as long as this connection: it stays open until the command has exited.
            var view = await daemon.Api.RunAsync(specs, ct);
            var notes = new List<string>();
            System.Diagnostics.Process child;
            // Registered before the command starts: a SIGTERM that arrives in between would otherwise end districtl
            // (the runtime's default) and leave the command running without it.
            using var signals = new SignalForwarding();
            try
            {
                child = ViewLauncher.Start(view, argv, notes);
            }
            catch (CommandNotStartedException e)
            {
                await EndViewAsync(daemon, view.Id);
                await Console.Error.WriteLineAsync($"districtl: {e.Message}");
                return NotStarted;
            }
            catch
            {
                // Nothing runs: the view ends before districtl reports why and exits.
                await EndViewAsync(daemon, view.Id);
                throw;
            }

            using (child)
            {
                foreach (string note in notes)
                {
                    await Console.Error.WriteLineAsync($"districtl: note: {note}");
                }

                signals.Deliver(child.Id);
                await child.WaitForExitAsync(CancellationToken.None);
                await EndViewAsync(daemon, view.Id);
                return child.ExitCode;
            }
        });
        return run;
    }

    /// <summary>
    /// Closes the view before districtl exits, so that once it has exited the view is gone (the daemon would close it
    /// with the connection anyway, a moment later). A daemon that went away meanwhile has no view left to close.
    /// </summary>
    private static async Task EndViewAsync(DaemonConnection daemon, string view)
    {
        try
        {
            await daemon.Api.RunEndAsync(view, CancellationToken.None);
        }
        catch (Exception e) when (e is RemoteRpcException or RpcConnectionLostException)
        {
        }
    }

    /// <summary>
    /// While the command runs, districtl only waits: Ctrl-C reaches the command from the terminal (same process group),
    /// so districtl ignores SIGINT; SIGTERM, SIGHUP and SIGQUIT sent to districtl are passed on to the command. One that
    /// arrives before the command has started is held and passed on as soon as it has.
    /// </summary>
    private sealed class SignalForwarding : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly List<PosixSignalRegistration> _registrations;
        private int _pid;
        private int _held;

        public SignalForwarding()
        {
            _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true)];
            foreach (var (signal, number) in new[] { (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3) })
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    Forward(number);
                }));
            }
        }

        /// <summary>The command has started: from now on signals go to it, starting with one held meanwhile.</summary>
        public void Deliver(int pid)
        {
            int held;
            lock (_gate)
            {
                _pid = pid;
                held = _held;
            }

            if (held != 0)
            {
                MountNamespace.Signal(pid, held);
            }
        }

        public void Dispose() => _registrations.ForEach(r => r.Dispose());

        private void Forward(int number)
        {
            int pid;
            lock (_gate)
            {
                pid = _pid;
                if (pid == 0)
                {
                    _held = number;
                    return;
                }
            }

            MountNamespace.Signal(pid, number);
        }
    }
}
