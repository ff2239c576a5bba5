using Distri.Core.Tests.Support;
using Distrid.Tests.Support;

namespace Distrid.Tests.PackageKit;

/// <summary>
/// Unmodified pkcon (Debian's packagekit-tools 1.2.6) against <c>distrid --packagekit</c> on a private system bus with
/// real polkitd and a mirror on nginx: each command's output and exit code, the generation it leaves, and /ro/bin.
/// Exit codes are pkcon's: 0 ok, 5 nothing to do, 7 failed transaction (reference/packagekit §6).
/// </summary>
public sealed class PkconTests(PackageKitFixture fixture) : IClassFixture<PackageKitFixture>
{
    [Fact]
    public async Task Backend_details_and_repo_list_describe_distrid_and_its_mirror()
    {
        if (!PackageKitFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        var details = await fixture.PkconAsync(false, "backend-details");
        Assert.True(details.ExitCode == 0, details.StandardOutput + details.StandardError);
        Assert.Contains("distrid", details.StandardOutput);

        var repos = await fixture.PkconAsync(false, "repo-list");
        Assert.True(repos.ExitCode == 0, repos.StandardOutput + repos.StandardError);
        Assert.Contains(system.Mirror.Url.ToString(), repos.StandardOutput);
        Assert.Contains("distri", repos.StandardOutput);
    }

    [Fact]
    public async Task Search_resolve_details_and_get_packages_show_an_available_package_by_its_id()
    {
        if (!PackageKitFixture.Ready() || fixture.System is null)
        {
            return;
        }

        var search = await fixture.PkconAsync(false, "search", "name", "pkquer");
        Assert.True(search.ExitCode == 0, search.StandardOutput + search.StandardError);
        Assert.Contains("Available", search.StandardOutput);
        Assert.Contains("pkquery-1.0-1.amd64 (distri)", search.StandardOutput);
        Assert.DoesNotContain("pkhello", search.StandardOutput);

        var resolve = await fixture.PkconAsync(false, "resolve", "pkquery");
        Assert.True(resolve.ExitCode == 0, resolve.StandardOutput + resolve.StandardError);
        Assert.Contains("pkquery-1.0-1.amd64 (distri)", resolve.StandardOutput);

        var details = await fixture.PkconAsync(false, "get-details", "pkquery");
        Assert.True(details.ExitCode == 0, details.StandardOutput + details.StandardError);
        Assert.Contains("package:     pkquery-1.0-1.amd64", details.StandardOutput);
        Assert.Contains("test package pkquery-amd64-1.0-1", details.StandardOutput);

        var all = await fixture.PkconAsync(false, "get-packages");
        Assert.True(all.ExitCode == 0, all.StandardOutput + all.StandardError);
        // Packages no other test of the class installs or updates.
        foreach (string program in new[] { "pkquery", "pkdenied" })
        {
            Assert.Matches($@"Available\s+{program}-1\.0-1\.amd64 \(distri\)", all.StandardOutput);
        }

        var missing = await fixture.PkconAsync(false, "resolve", "no-such-package");
        Assert.DoesNotContain("no-such-package-", missing.StandardOutput);
    }

    [Fact]
    public async Task Install_and_remove_with_y_change_the_generation_and_ro_bin()
    {
        if (!PackageKitFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        int before = await fixture.GenerationAsync();
        var install = await fixture.PkconAsync(false, "-y", "install", "pkhello");
        Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);
        Assert.Contains("Installed", install.StandardOutput);
        Assert.Contains("pkhello-1.0-1.amd64", install.StandardOutput);
        Assert.True(File.Exists(fixture.Program("pkhello")), "pkhello is not in /ro/bin after install");
        int installed = await fixture.GenerationAsync();
        Assert.Equal(before + 1, installed);

        var resolve = await fixture.PkconAsync(false, "resolve", "pkhello");
        Assert.Contains("Installed", resolve.StandardOutput);
        Assert.Contains("pkhello-1.0-1.amd64 (installed:distri)", resolve.StandardOutput);

        var files = await fixture.PkconAsync(false, "get-files", "pkhello");
        Assert.True(files.ExitCode == 0, files.StandardOutput + files.StandardError);
        Assert.Contains(Path.Combine(system.Paths.Mountpoint, "pkhello-amd64-1.0-1", "bin", "pkhello"), files.StandardOutput);

        var owner = await fixture.PkconAsync(false, "search", "file", fixture.Program("pkhello"));
        Assert.True(owner.ExitCode == 0, owner.StandardOutput + owner.StandardError);
        Assert.Contains("pkhello-1.0-1.amd64 (installed:distri)", owner.StandardOutput);
        Assert.DoesNotContain("pkquery", owner.StandardOutput);

        var again = await fixture.PkconAsync(false, "-y", "install", "pkhello");
        Assert.Equal(5, again.ExitCode); // pkcon: "may already be installed", nothing to do
        Assert.Equal(installed, await fixture.GenerationAsync());

        var remove = await fixture.PkconAsync(false, "-y", "remove", "pkhello");
        Assert.True(remove.ExitCode == 0, remove.StandardOutput + remove.StandardError);
        Assert.Contains("Removed", remove.StandardOutput);
        Assert.False(File.Exists(fixture.Program("pkhello")), "pkhello is still in /ro/bin after remove");
        Assert.Equal(installed + 1, await fixture.GenerationAsync());
    }

    [Fact]
    public async Task Refresh_get_updates_and_update_move_to_the_newer_revision()
    {
        if (!PackageKitFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        var install = await fixture.PkconAsync(false, "-y", "install", "pkupd");
        Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);
        var none = await fixture.PkconAsync(false, "get-updates");
        Assert.DoesNotContain("pkupd", none.StandardOutput);

        system.Mirror.Add("pkupd-amd64-1.1-2", new Dictionary<string, string> { ["bin/pkupd"] = Distrid.Tests.Support.PackageFactory.Script("pkupd 1.1") });
        system.Mirror.Publish();
        var refresh = await fixture.PkconAsync(false, "refresh");
        Assert.True(refresh.ExitCode == 0, refresh.StandardOutput + refresh.StandardError);

        var updates = await fixture.PkconAsync(false, "get-updates");
        Assert.True(updates.ExitCode == 0, updates.StandardOutput + updates.StandardError);
        Assert.Contains("pkupd-1.1-2.amd64 (distri)", updates.StandardOutput);

        int before = await fixture.GenerationAsync();
        var update = await fixture.PkconAsync(false, "-y", "update");
        Assert.True(update.ExitCode == 0, update.StandardOutput + update.StandardError);
        Assert.Contains("pkupd-1.1-2.amd64", update.StandardOutput);
        Assert.Equal(before + 1, await fixture.GenerationAsync());
        Assert.Equal("pkupd 1.1", (await Task.Run(() => ProcessRunner.Run(fixture.Program("pkupd"), []))).StandardOutput.Trim());

        var after = await fixture.PkconAsync(false, "get-updates");
        Assert.DoesNotContain("pkupd", after.StandardOutput);
        var nothing = await fixture.PkconAsync(false, "-y", "update");
        Assert.Equal(5, nothing.ExitCode);
    }

    [Fact]
    public async Task An_unprivileged_user_gets_exit_code_7_and_nothing_changes()
    {
        if (!PackageKitFixture.Ready() || fixture.System is null)
        {
            return;
        }

        int before = await fixture.GenerationAsync();
        var query = await fixture.PkconAsync(true, "resolve", "pkdenied");
        Assert.True(query.ExitCode == 0, query.StandardOutput + query.StandardError);
        Assert.Contains("pkdenied-1.0-1.amd64", query.StandardOutput);

        var install = await fixture.PkconAsync(true, "-y", "install", "pkdenied");
        Assert.True(install.ExitCode == 7, $"rc {install.ExitCode}: {install.StandardOutput}{install.StandardError}");
        Assert.Contains("Not authorized", install.StandardOutput + install.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(fixture.Program("pkdenied")));
        Assert.Equal(before, await fixture.GenerationAsync());
    }

    [Fact]
    public async Task Install_in_a_terminal_shows_the_simulated_changes_and_asks_first()
    {
        if (!PackageKitFixture.Ready() || !Requirements.Tool("/usr/bin/script") || fixture.System is null)
        {
            return;
        }

        int before = await fixture.GenerationAsync();
        var declined = await fixture.PkconInTerminalAsync("n", "install", "pkcancel");
        Assert.True(declined.ExitCode >= 0, declined.StandardOutput + declined.StandardError);
        Assert.Contains("pkcancel-1.0-1.amd64", declined.StandardOutput);
        Assert.Contains("The transaction did not proceed.", declined.StandardOutput);
        Assert.False(File.Exists(fixture.Program("pkcancel")), declined.StandardOutput);
        Assert.Equal(before, await fixture.GenerationAsync());

        var accepted = await fixture.PkconInTerminalAsync("y", "install", "pkcancel");
        Assert.True(accepted.ExitCode == 0, accepted.StandardOutput + accepted.StandardError);
        // On a terminal pkcon draws progress bars instead of a result list: the simulation's list, then the commit.
        Assert.Contains("The following packages have to be installed:", accepted.StandardOutput);
        Assert.Contains("Proceed with changes? [N/y]", accepted.StandardOutput);
        Assert.Contains("Finished", accepted.StandardOutput);
        Assert.True(File.Exists(fixture.Program("pkcancel")), accepted.StandardOutput);
        Assert.Equal(before + 1, await fixture.GenerationAsync());
    }
}
