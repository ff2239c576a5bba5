using System.Runtime.InteropServices;

namespace Districtl.Cli;

/// <summary>
/// How the thin client runs an offline verb: it replaces itself (execv) with districtl-tools from its own directory,
/// passing its command line on unchanged, so that the verb's output, errors and exit status are the tool's own, as
/// git runs its git-* helpers. <c>$DISTRICTL_TOOLS</c> names another executable (tests, a build tree).
/// </summary>
internal static partial class OfflineTool
{
    public const string FileName = "districtl-tools";
    public const string PathVariable = "DISTRICTL_TOOLS";

    /// <summary>Where the tool is: beside this executable (/proc/self/exe, symlinks resolved) unless the variable says.</summary>
    public static string Location =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, FileName);

    /// <summary>Runs the tool in this process's place; returns (an exit status) only when it could not be started.</summary>
    public static int Exec(string[] args)
    {
        string tool = Location;
        // argv[0] stays the one districtl was started as: the tool's help and errors name the program the user ran.
        string?[] argv = [Environment.GetCommandLineArgs()[0], .. args, null];
        _ = Execv(tool, argv);
        string reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        Console.Error.WriteLine(
            $"districtl: cannot run {tool} ({reason}), which runs the offline verbs (pack, unpack, keygen, import-deb, repo build, repo import-apt)");
        return 1;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}
