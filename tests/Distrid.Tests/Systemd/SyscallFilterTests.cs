using System.Diagnostics;
using System.Globalization;
using Distrid.Fuse.Mounting;
using Distrid.Tests.Packaging;
using Distrid.Tests.Support;

namespace Distrid.Tests.Systemd;

/// <summary>
/// The shipped unit's SystemCallFilter= must let the daemon run. Without systemd: the unit's filter lines are read,
/// the groups expanded with <c>systemd-analyze syscall-filter</c>, and the daemon is run under strace with every
/// denied call failing with EPERM, as the seccomp filter (SystemCallErrorNumber=EPERM) would. It must start, serve
/// /ro and stop cleanly. Issue 10: with all of @resources denied, CoreCLR died on sched_setaffinity at start.
/// </summary>
public sealed class SyscallFilterTests(ITestOutputHelper output)
{
    private const string Strace = "/usr/bin/strace";

    [Fact]
    public void The_deny_list_is_what_the_unit_says_after_its_exceptions()
    {
        if (!Requirements.Tool(SystemdAnalyzeRoot.Tool))
        {
            return;
        }

        var denied = DeniedSyscalls();
        Assert.Contains("setrlimit", denied);
        Assert.Contains("ptrace", denied);
        Assert.Contains("chown", denied);
        // The unit's own exception: the .NET runtime sets thread affinity and treats EPERM as fatal.
        Assert.DoesNotContain("sched_setaffinity", denied);
        Assert.DoesNotContain("mount", denied);
    }

    [Fact]
    public async Task The_daemon_starts_serves_and_stops_with_every_denied_call_failing()
    {
        if (!Requirements.RootWithFuse() || !Requirements.Tool(Strace) || !Requirements.Tool(SystemdAnalyzeRoot.Tool))
        {
            return;
        }

        // strace refuses names it does not know (the 32-bit chown32 & co.); "?" makes it skip those.
        string set = string.Join(',', DeniedSyscalls().Order(StringComparer.Ordinal).Select(name => "?" + name));
        using var scene = new SystemdScene();
        var (paths, systemd) = (scene.Paths, scene.Systemd);
        PackageFactory.Pack(paths.Store, "hello-amd64-1-1", new Dictionary<string, string> { ["bin/hello"] = "#!/bin/sh\necho hello\n" });
        string[] prefix = [Strace, "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e", "trace=" + set, "-e", "inject=" + set + ":error=EPERM"];
        await using var service = ServiceProcess.Start(systemd, paths, prefix);

        var ready = systemd.WaitForAsync("READY=1", timeout: TimeSpan.FromSeconds(120));
        var exited = service.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(await Task.WhenAny(ready, exited) == ready, "the daemon exited before READY=1:\n" + service.Stderr);
        await ready;
        Assert.Equal("#!/bin/sh\necho hello\n", File.ReadAllText(Path.Combine(paths.Mountpoint, "hello-amd64-1-1", "bin", "hello")));

        // SIGTERM to the daemon itself (strace's child), as systemd's KillMode=mixed sends it.
        int daemon = ChildOf(service.Pid);
        using (var kill = Process.Start("kill", ["-TERM", daemon.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Null(MountTable.Find(paths.Mountpoint));
        Assert.DoesNotContain("Failed to create CoreCLR", service.Stderr, StringComparison.Ordinal);
        output.WriteLine($"{set.Count(c => c == ',') + 1} calls denied; the daemon's log:\n{service.Stderr}");
    }

    /// <summary>
    /// The effective deny list of units/distrid.service: the first SystemCallFilter=~ line sets the mode (deny),
    /// later lines with "~" add to it and lines without "~" take calls out of it (systemd.exec(5)).
    /// </summary>
    private static HashSet<string> DeniedSyscalls()
    {
        var denied = new HashSet<string>(StringComparer.Ordinal);
        var lines = RepositoryFiles.UnitAssignments("units/distrid.service").Where(a => a.Key == "SystemCallFilter").Select(a => a.Value).ToList();
        Assert.NotEmpty(lines);
        Assert.StartsWith("~", lines[0], StringComparison.Ordinal);
        foreach (string line in lines)
        {
            bool deny = line.StartsWith('~');
            foreach (string item in line.TrimStart('~').Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (string call in Expand(item, []))
                {
                    if (deny)
                    {
                        denied.Add(call);
                    }
                    else
                    {
                        denied.Remove(call);
                    }
                }
            }
        }

        return denied;
    }

    private static IEnumerable<string> Expand(string item, HashSet<string> seen)
    {
        if (!item.StartsWith('@'))
        {
            return [item];
        }

        if (!seen.Add(item))
        {
            return [];
        }

        var members = GroupMembers(item);
        Assert.NotEmpty(members);
        return members.SelectMany(member => Expand(member, seen)).ToList();
    }

    /// <summary>One group as systemd-analyze prints it: the name, "#" comment lines, then one member per line
    /// (members may be groups).</summary>
    private static List<string> GroupMembers(string group)
    {
        var psi = new ProcessStartInfo(SystemdAnalyzeRoot.Tool, ["syscall-filter", "--no-pager", group]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"systemd-analyze syscall-filter {group}: {process.StandardError.ReadToEnd()}");
        return text.Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] != '#' && l != group)
            .ToList();
    }

    private static int ChildOf(int pid)
    {
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            string children = File.ReadAllText(Path.Combine(task, "children")).Trim();
            if (children.Length > 0)
            {
                return int.Parse(children.Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"strace ({pid}) has no child");
    }
}
