using Distri.Core.Tests.Support;

namespace Distrid.Tests.Packaging;

/// <summary>
/// A throw-away root for <c>systemd-analyze --root</c>: the machine's own unit directory (so sysinit.target,
/// dbus.socket... resolve), the project's units, and a stub <c>/usr/sbin/distrid</c>, because verify insists that
/// ExecStart= is executable and the tests must not depend on the package being installed (and <c>/usr/bin/districtl</c>
/// for distrid-update.service).
/// </summary>
internal sealed class SystemdAnalyzeRoot : IDisposable
{
    public const string Tool = "/usr/bin/systemd-analyze";
    private const string SystemUnits = "/usr/lib/systemd/system";

    public SystemdAnalyzeRoot()
    {
        Path = Directory.CreateTempSubdirectory("distrid-units-").FullName;
        UnitDirectory = Combine("usr/lib/systemd/system");
        Directory.CreateDirectory(UnitDirectory);
        Directory.CreateDirectory(Combine("usr/sbin"));
        // Merged /usr, as on Debian 12: /lib and /sbin are links into /usr.
        File.CreateSymbolicLink(Combine("lib"), "usr/lib");
        File.CreateSymbolicLink(Combine("sbin"), "usr/sbin");
        foreach (string unit in Directory.EnumerateFiles(SystemUnits))
        {
            File.Copy(unit, System.IO.Path.Combine(UnitDirectory, System.IO.Path.GetFileName(unit)));
        }

        Directory.CreateDirectory(Combine("usr/bin"));
        foreach (string stub in new[] { Combine("usr/sbin/distrid"), Combine("usr/bin/districtl") })
        {
            File.WriteAllText(stub, "#!/bin/sh\n");
            File.SetUnixFileMode(stub, (UnixFileMode)0b111_101_101);
        }

        // The checkout's units win over copies the machine may have installed (packaging/check-deb.sh installs the .deb).
        foreach (string unit in Units)
        {
            File.Copy(RepositoryFiles.PathOf("units/" + unit), System.IO.Path.Combine(UnitDirectory, unit), overwrite: true);
        }
    }

    /// <summary>Every unit the package ships.</summary>
    public static readonly string[] Units = ["distrid.service", "distrid.socket", "distrid-update.service", "distrid-update.timer"];

    public string Path { get; }

    public string UnitDirectory { get; }

    /// <summary>Runs systemd-analyze with <c>--root</c>; stdout and stderr together (warnings go to stderr).</summary>
    public (int ExitCode, string Output) Analyze(params string[] arguments)
    {
        var result = ProcessRunner.Run(Tool, [.. arguments, "--root=" + Path], TimeSpan.FromSeconds(60), allowFailure: true);
        return (result.ExitCode, (result.StandardError + result.StandardOutput).Trim());
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private string Combine(string relative) => System.IO.Path.Combine(Path, relative);
}
