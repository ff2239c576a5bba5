using Distri.Core.Tests.Support;
using Distrid.Tests.Support;

namespace Distrid.Tests.PackageKit;

/// <summary>
/// Unmodified pkcon for what GNOME Software and Discover do besides the basics: an ONLY_DOWNLOAD update that prepares
/// an offline update, <c>offline-get-prepared</c>, <c>offline-trigger</c> (applied at once: one new generation) and
/// <c>offline-status</c>; SIMULATE and ONLY_DOWNLOAD without polkit, as packagekitd does; download, RepoEnable,
/// WhatProvides and ALLOW_REINSTALL.
/// libpackagekit reads the offline files from the fixed /var/lib/PackageKit, so those pkcon commands run in a mount
/// namespace of their own where the daemon's <c>--packagekit-state</c> directory is bound there: the machine's own
/// directory is never read or written.
/// </summary>
public sealed class PkconSoftwareCenterTests(PackageKitFixture fixture) : IClassFixture<PackageKitFixture>
{
    private const string MachinePackageKitState = "/var/lib/PackageKit";

    [Fact]
    public async Task An_only_download_update_prepares_and_offline_trigger_applies_it_at_once()
    {
        if (!Ready() || fixture.System is not { } system)
        {
            return;
        }

        await PublishAsync("pkoff-amd64-1.0-1", "pkoff 1.0");
        await SucceedsAsync(false, "-y", "install", "pkoff");
        await PublishAsync("pkoff-amd64-1.1-2", "pkoff 1.1");
        int before = await fixture.GenerationAsync();
        string prepared = Path.Combine(fixture.PackageKitState, "prepared-update");
        string results = Path.Combine(fixture.PackageKitState, "offline-update-competed");

        var download = await SucceedsAsync(false, "-y", "--only-download", "update", "pkoff");
        Assert.Contains("pkoff-1.1-2.amd64", download.StandardOutput);
        Assert.Equal(before, await fixture.GenerationAsync());
        Assert.Equal("pkoff 1.0", Run(fixture.Program("pkoff")));
        Assert.True(File.Exists(Path.Combine(system.Paths.Store, "pkoff-amd64-1.1-2.squashfs")), "the update was not downloaded into the store");
        Assert.Equal("[update]\nprepared_ids=pkoff;1.1-2;amd64;distri\n", await File.ReadAllTextAsync(prepared));

        Assert.Contains("(<true>,)", await OfflineCallAsync("org.freedesktop.DBus.Properties.Get", "org.freedesktop.PackageKit.Offline", "UpdatePrepared"));
        Assert.Contains("['pkoff;1.1-2;amd64;distri']", await OfflineCallAsync("org.freedesktop.PackageKit.Offline.GetPrepared"));

        var listed = await OfflinePkconAsync(false, "offline-get-prepared");
        Assert.True(listed.ExitCode == 0, listed.StandardOutput + listed.StandardError);
        Assert.Contains("pkoff", listed.StandardOutput);
        Assert.Contains("1.1-2", listed.StandardOutput);

        // trigger-offline-update is not nobody's (no session): refused, and the prepared update stays.
        var refused = await fixture.PkconAsync(true, "offline-trigger");
        Assert.True(refused.ExitCode != 0, refused.StandardOutput + refused.StandardError);
        Assert.Equal(before, await fixture.GenerationAsync());
        Assert.True(File.Exists(prepared));

        await SucceedsAsync(false, "offline-trigger");
        Assert.Equal(before + 1, await fixture.GenerationAsync());
        Assert.Equal("pkoff 1.1", Run(fixture.Program("pkoff")));
        Assert.False(File.Exists(prepared), "the applied update is still prepared");
        string written = await File.ReadAllTextAsync(results);
        Assert.Contains("[PackageKit Offline Update Results]\nSuccess=true\n", written);
        Assert.Contains("Packages=pkoff;1.1-2;amd64;distri\n", written);

        var status = await OfflinePkconAsync(false, "offline-status");
        Assert.True(status.ExitCode == 0, status.StandardOutput + status.StandardError);
        Assert.Contains("pkoff", status.StandardOutput);
        var none = await OfflinePkconAsync(false, "offline-get-prepared");
        Assert.True(none.ExitCode != 0, none.StandardOutput);
        var again = await fixture.PkconAsync(false, "offline-trigger");
        Assert.True(again.ExitCode != 0, again.StandardOutput);
        Assert.Equal(before + 1, await fixture.GenerationAsync());

        Assert.Contains("(<false>,)", await OfflineCallAsync("org.freedesktop.DBus.Properties.Get", "org.freedesktop.PackageKit.Offline", "UpdatePrepared"));

        await OfflineCallAsync("org.freedesktop.PackageKit.Offline.ClearResults");
        Assert.False(File.Exists(results), "ClearResults left the results file");
    }

    [Fact]
    public async Task Simulate_and_only_download_need_no_authorization_and_change_no_generation()
    {
        if (!Ready() || fixture.System is not { } system)
        {
            return;
        }

        await PublishAsync("pksim-amd64-1.0-1", "pksim 1.0");
        int before = await fixture.GenerationAsync();

        // Without -y pkcon simulates first (SIMULATE, no polkit check), lists the plan and asks; stdin is not a
        // terminal, so nothing proceeds.
        var simulated = await fixture.PkconAsync(true, "install", "pksim");
        Assert.Contains("The following packages have to be installed:", simulated.StandardOutput);
        Assert.Contains("pksim-1.0-1.amd64", simulated.StandardOutput);
        Assert.DoesNotContain("Not authorized", simulated.StandardOutput + simulated.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await fixture.GenerationAsync());
        Assert.False(File.Exists(fixture.Program("pksim")));
        Assert.False(File.Exists(Path.Combine(system.Paths.Store, "pksim-amd64-1.0-1.squashfs")), "a simulation downloaded the image");

        var downloaded = await fixture.PkconAsync(true, "-y", "--only-download", "install", "pksim");
        Assert.True(downloaded.ExitCode == 0, downloaded.StandardOutput + downloaded.StandardError);
        Assert.True(File.Exists(Path.Combine(system.Paths.Store, "pksim-amd64-1.0-1.squashfs")), "ONLY_DOWNLOAD did not fetch the image");
        Assert.Equal(before, await fixture.GenerationAsync());
        Assert.False(File.Exists(fixture.Program("pksim")), "ONLY_DOWNLOAD installed the program");

        // The commit itself still needs package-install: nobody is refused and nothing changes.
        var install = await fixture.PkconAsync(true, "-y", "install", "pksim");
        Assert.Equal(7, install.ExitCode);
        Assert.Equal(before, await fixture.GenerationAsync());
    }

    [Fact]
    public async Task Pkcon_download_copies_the_verified_image_and_installs_nothing()
    {
        if (!Ready() || fixture.System is not { } system)
        {
            return;
        }

        await PublishAsync("pkdl-amd64-1.0-1", "pkdl 1.0");
        int before = await fixture.GenerationAsync();
        string target = Path.Combine(system.Paths.Root, "downloads");
        Directory.CreateDirectory(target);

        await SucceedsAsync(false, "download", target, "pkdl");

        string stored = Path.Combine(system.Paths.Store, "pkdl-amd64-1.0-1.squashfs");
        string copy = Path.Combine(target, "pkdl-amd64-1.0-1.squashfs");
        Assert.True(File.Exists(copy), "pkcon did not copy the image it was told about: " + string.Join(", ", Directory.GetFiles(target)));
        Assert.Equal(await File.ReadAllBytesAsync(stored), await File.ReadAllBytesAsync(copy));
        Assert.Equal(before, await fixture.GenerationAsync());
        Assert.False(File.Exists(fixture.Program("pkdl")));
    }

    [Fact]
    public async Task Repo_enable_repo_disable_what_provides_and_allow_reinstall()
    {
        if (!Ready() || fixture.System is null)
        {
            return;
        }

        await PublishAsync("pkwhat-amd64-1.0-1", "pkwhat 1.0");
        int before = await fixture.GenerationAsync();
        await SucceedsAsync(false, "repo-enable", "distri");
        var disable = await fixture.PkconAsync(false, "repo-disable", "distri");
        Assert.True(disable.ExitCode != 0, disable.StandardOutput);
        Assert.Contains("cannot disable distri", disable.StandardOutput + disable.StandardError);
        var unknown = await fixture.PkconAsync(false, "repo-enable", "no-such-repo");
        Assert.True(unknown.ExitCode != 0, unknown.StandardOutput);
        Assert.Equal(before, await fixture.GenerationAsync());
        var repos = await SucceedsAsync(false, "repo-list");
        Assert.Contains("distri", repos.StandardOutput);

        var byName = await SucceedsAsync(false, "what-provides", "pkwhat");
        Assert.Contains("pkwhat-1.0-1.amd64 (distri)", byName.StandardOutput);

        await SucceedsAsync(false, "-y", "install", "pkwhat");
        var byPath = await SucceedsAsync(false, "what-provides", fixture.Program("pkwhat"));
        Assert.Contains("pkwhat-1.0-1.amd64 (installed:distri)", byPath.StandardOutput);
        var codec = await fixture.PkconAsync(false, "what-provides", "gstreamer1(decoder-audio/x-nothing)");
        Assert.DoesNotContain("pkwhat", codec.StandardOutput);

        // ALLOW_REINSTALL fetches the image again (districtl install --reinstall) under package-reinstall.
        var reinstall = await SucceedsAsync(false, "-y", "--allow-reinstall", "install", "pkwhat");
        Assert.Matches(@"Reinstalled\s+pkwhat-1\.0-1\.amd64", reinstall.StandardOutput);
        Assert.Equal("pkwhat 1.0", Run(fixture.Program("pkwhat")));
    }

    private static bool Ready()
    {
        if (!PackageKitFixture.Ready() || !Requirements.RootWith("/usr/bin/unshare", "/usr/bin/gdbus"))
        {
            return false;
        }

        // Debian's packagekit (which packagekit-tools depends on) ships it: the mount point for the state directory.
        if (!Directory.Exists(MachinePackageKitState))
        {
            Assert.Fail($"needs {MachinePackageKitState} (Debian's packagekit) as the mount point of the offline files");
        }

        return true;
    }

    /// <summary>Adds a one-program package to the mirror and makes the daemon read the new index.</summary>
    private async Task PublishAsync(string fullName, string output)
    {
        string program = fullName[..fullName.IndexOf('-', StringComparison.Ordinal)];
        fixture.System!.Mirror.Add(fullName, new Dictionary<string, string> { [$"bin/{program}"] = PackageFactory.Script(output) });
        fixture.System.Mirror.Publish();
        await SucceedsAsync(false, "refresh");
    }

    private async Task<ProcessRunner.Result> SucceedsAsync(bool asNobody, params string[] args)
    {
        var result = await fixture.PkconAsync(asNobody, args);
        Assert.True(result.ExitCode == 0, $"pkcon {string.Join(' ', args)}: rc {result.ExitCode}\n{result.StandardOutput}{result.StandardError}");
        return result;
    }

    /// <summary>pkcon with the daemon's PackageKit state directory bound over /var/lib/PackageKit, in a mount namespace of its own.</summary>
    private Task<ProcessRunner.Result> OfflinePkconAsync(bool asNobody, params string[] args)
    {
        Directory.CreateDirectory(fixture.PackageKitState);
        string[] command = ["-m", "--propagation", "private", "sh", "-c", $"mount --bind \"$0\" {MachinePackageKitState} && exec {PackageKitFixture.Pkcon} \"$@\"",
            fixture.PackageKitState, .. args];
        return asNobody ? throw new NotSupportedException("the mount needs root") : fixture.Bus!.RunAsync("/usr/bin/unshare", command);
    }

    /// <summary>A method of /org/freedesktop/PackageKit called as root with gdbus; its printed reply.</summary>
    private async Task<string> OfflineCallAsync(string method, params string[] args)
    {
        var call = await fixture.Bus!.RunAsync("/usr/bin/gdbus",
            ["call", "--system", "--dest", "org.freedesktop.PackageKit", "--object-path", "/org/freedesktop/PackageKit", "--method", method, .. args]);
        Assert.True(call.ExitCode == 0, $"{method}: {call.StandardError}");
        return call.StandardOutput;
    }

    private static string Run(string program) => ProcessRunner.Run(program, []).StandardOutput.Trim();
}
