using System.Diagnostics;

namespace Distrid.Tests.Relocation;

/// <summary>
/// A root that holds only /ro (the test daemon's mount, bound in), /proc, /dev, /tmp, /etc/{passwd,group,resolv.conf}
/// and /bin/sh -> /ro/bin/sh. Commands run in a private mount namespace (unshare --mount) chrooted into it, with an
/// environment of PATH=/ro/bin and HOME=/tmp only, so nothing of the host's files or settings can be used.
/// </summary>
public sealed class EmptyRoot : IDisposable
{
    private readonly string _mount;

    public EmptyRoot(string roMount)
    {
        _mount = roMount;
        Path = Directory.CreateTempSubdirectory("distrid-emptyroot-").FullName;
        foreach (string directory in (string[])["ro", "proc", "dev", "tmp", "etc", "bin"])
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, directory));
        }

        foreach (string file in (string[])["passwd", "group", "resolv.conf"])
        {
            File.Copy($"/etc/{file}", System.IO.Path.Combine(Path, "etc", file));
        }

        File.CreateSymbolicLink(System.IO.Path.Combine(Path, "bin", "sh"), "/ro/bin/sh");
        new DirectoryInfo(System.IO.Path.Combine(Path, "tmp")).UnixFileMode = (UnixFileMode)Convert.ToInt32("1777", 8);
    }

    /// <summary>The root on the host; its tmp/ is the root's /tmp (tests put inputs there).</summary>
    public string Path { get; }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <paramref name="command"/> (argv) inside the root, feeding <paramref name="stdin"/>.</summary>
    public Task<Result> RunAsync(string[] command, string stdin = "", IReadOnlyDictionary<string, string>? environment = null) =>
        RunInNamespaceAsync(
            $"mount --bind '{_mount}' '{Path}/ro' && mount -t proc proc '{Path}/proc' && mount --rbind /dev '{Path}/dev' && exec env -i PATH=/ro/bin HOME=/tmp {Variables(environment)} /usr/sbin/chroot '{Path}' \"$@\"",
            command, stdin);

    /// <summary>Runs <paramref name="command"/> on the normal host, with the test's /ro mount bound at /ro in a private mount namespace.</summary>
    public static Task<Result> RunOnHostAsync(string roMount, string[] command, IReadOnlyDictionary<string, string>? environment = null)
    {
        Directory.CreateDirectory("/ro");
        return RunInNamespaceAsync($"mount --bind '{roMount}' /ro && exec env {Variables(environment)} \"$@\"", command, "");
    }

    private static string Variables(IReadOnlyDictionary<string, string>? environment) =>
        environment is null ? "" : string.Join(' ', environment.Select(e => $"'{e.Key}={e.Value}'"));

    private static async Task<Result> RunInNamespaceAsync(string script, string[] command, string stdin)
    {
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["--mount", "--propagation", "private", "/bin/sh", "-c", script, "emptyroot"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
