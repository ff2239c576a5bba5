using System.Diagnostics;
using Districtl.Cli;
using Distrid.Protocol;

namespace Districtl.Namespaces;

/// <summary>
/// Starts a command in a mount namespace where the daemon's view is bind-mounted over the exchange directories
/// (<c>/ro/.view/3/bin</c> over <c>/ro/bin</c>, ...). The links in a view are relative (<c>../app-amd64-1-1/bin/app</c>),
/// and <c>..</c> from the root of a bind mount leads to the parent of its mountpoint, so they resolve to the real
/// <c>/ro/&lt;fullname&gt;</c> as in the shared tree. Nobody outside the namespace sees a change.
/// </summary>
internal static class ViewLauncher
{
    /// <summary>
    /// Enters a new mount namespace on a thread of its own, mounts <paramref name="view"/>, and starts
    /// <paramref name="command"/> there (it inherits the namespace, stdio and environment). Notes for directories
    /// that cannot be shown go to <paramref name="notes"/>.
    /// </summary>
    public static Process Start(RunView view, IReadOnlyList<string> command, List<string> notes)
    {
        Process? started = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                started = StartInNamespace(view, command, notes);
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { Name = "districtl run", IsBackground = true };
        thread.Start();
        thread.Join();
        return failure switch
        {
            null => started!,
            MountNamespaceException { Errno: MountNamespace.Eperm } => throw new UserError(
                "run needs root (CAP_SYS_ADMIN) for a private mount namespace; try: sudo districtl run ..."),
            MountNamespaceException e => throw new UserError(e.Message),
            System.ComponentModel.Win32Exception e => throw new CommandNotStartedException($"cannot run {command[0]}: {e.Message}"),
            _ => throw failure,
        };
    }

    private static Process StartInNamespace(RunView view, IReadOnlyList<string> command, List<string> notes)
    {
        MountNamespace.EnterPrivate();
        foreach (string directory in view.Directories)
        {
            string target = Path.Join(view.Mountpoint, directory);
            try
            {
                MountNamespace.Bind(Path.Join(view.Path, directory), target);
            }
            catch (MountNamespaceException e) when (e.Errno == MountNamespace.Enoent)
            {
                // A bind needs a mountpoint, and /ro is read-only: a directory no package of the current generation has
                // cannot appear. Its files stay reachable by their package paths.
                notes.Add($"{target} does not exist outside the view, so the view's {directory}/ cannot be shown there (its files are under {view.Mountpoint}/<fullname>/{directory}/)");
            }
        }

        // Process.Start forks from this thread, so the command starts in this thread's namespace; the executable is
        // looked up on $PATH here too, so /ro/bin on $PATH finds the view's programs.
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}

/// <summary>The command could not be started (not found, not executable): one line, exit status 127 as a shell's.</summary>
internal sealed class CommandNotStartedException(string message) : Exception(message);
