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
/// <remarks>
/// When the daemon publishes a generation it invalidates /ro's exchange-directory entries, and the kernel detaches
/// whatever is mounted on an invalidated entry, in every namespace. So the thread that made the namespace stays in it
/// while the command runs, waits for its mount table to change and binds the view again over the new entries.
/// </remarks>
internal static class ViewLauncher
{
    /// <summary>How often the watching thread looks whether the command has exited, when no mount changes.</summary>
    private const int WatchTimeoutMilliseconds = 1000;

    /// <summary>
    /// Enters a new mount namespace on a thread of its own, mounts <paramref name="view"/>, and starts
    /// <paramref name="command"/> there (it inherits the namespace, stdio and environment). Notes for directories
    /// that cannot be shown go to <paramref name="notes"/>.
    /// </summary>
    public static Process Start(RunView view, IReadOnlyList<string> command, List<string> notes)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Process child;
            Microsoft.Win32.SafeHandles.SafeFileHandle mounts;
            try
            {
                MountNamespace.EnterPrivate();
                BindMissing(view, notes);
                // Opened before the command starts, so that every later change of this namespace's mounts is seen.
                mounts = File.OpenHandle("/proc/thread-self/mounts");
                child = StartCommand(command);
            }
            catch (Exception e)
            {
                started.SetException(e);
                return;
            }

            started.SetResult(child);
            using (mounts)
            {
                KeepBound(view, child, mounts);
            }
        })
        { Name = "districtl run", IsBackground = true };
        thread.Start();
        try
        {
            return started.Task.GetAwaiter().GetResult();
        }
        catch (MountNamespaceException e) when (e.Errno == MountNamespace.Eperm)
        {
            throw new UserError("run needs root (CAP_SYS_ADMIN) for a private mount namespace; try: sudo districtl run ...");
        }
        catch (MountNamespaceException e)
        {
            throw new UserError(e.Message);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CommandNotStartedException($"cannot run {command[0]}: {e.Message}");
        }
    }

    /// <summary>Process.Start forks from this thread, so the command starts in this thread's namespace; the executable
    /// is looked up on $PATH here too, so /ro/bin on $PATH finds the view's programs.</summary>
    private static Process StartCommand(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>Until the command exits: after every change of this namespace's mounts, binds again what was detached.</summary>
    private static void KeepBound(RunView view, Process child, Microsoft.Win32.SafeHandles.SafeFileHandle mounts)
    {
        while (!child.HasExited)
        {
            if (MountNamespace.WaitForMountChange(mounts, WatchTimeoutMilliseconds))
            {
                try
                {
                    BindMissing(view, notes: null);
                }
                catch (MountNamespaceException e)
                {
                    Console.Error.WriteLine($"districtl: note: {e.Message}; the command now sees the current generation there");
                }
            }
        }
    }

    /// <summary>Binds every view directory that is not the top mount at its place over the mountpoint's.</summary>
    private static void BindMissing(RunView view, List<string>? notes)
    {
        var bound = ViewBinds.Read(view);
        foreach (string directory in view.Directories)
        {
            string target = Path.Join(view.Mountpoint, directory);
            if (bound.Contains(directory))
            {
                continue;
            }

            try
            {
                MountNamespace.Bind(Path.Join(view.Path, directory), target);
            }
            catch (MountNamespaceException e) when (e.Errno == MountNamespace.Enoent)
            {
                // A bind needs a mountpoint, and /ro is read-only: a directory no package of the current generation has
                // cannot appear. Its files stay reachable by their package paths.
                notes?.Add($"{target} does not exist outside the view, so the view's {directory}/ cannot be shown there (its files are under {view.Mountpoint}/<fullname>/{directory}/)");
            }
        }
    }
}

/// <summary>The command could not be started (not found, not executable): one line, exit status 127 as a shell's.</summary>
internal sealed class CommandNotStartedException(string message) : Exception(message);
