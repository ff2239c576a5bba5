using System.Diagnostics;
using System.Text.RegularExpressions;
using Distrid.Tests.Support;
using Tmds.DBus.Protocol;

namespace Distrid.Tests.DBus;

/// <summary>
/// The D-Bus front end and the shared polkit authorizer against a real bus, a real polkitd and the real daemon:
/// introspection, transactions with their signals, and who may do what over D-Bus and over the socket.
/// </summary>
public sealed class DBusApiTests(DBusDaemonFixture fixture) : IClassFixture<DBusDaemonFixture>
{
    private const ulong Simulate = 4;
    private const ulong OnlyDownload = 8;

    [Fact]
    public async Task Introspection_shows_the_manager_and_transaction_interfaces()
    {
        if (!DBusDaemonFixture.Ready() || fixture.Bus is not { } bus)
        {
            return;
        }

        var manager = await bus.RunAsync("/usr/bin/busctl", ["--system", "introspect", BusClient.Service, BusClient.ManagerPath]);
        Assert.True(manager.ExitCode == 0, manager.StandardError);
        Assert.Contains("org.distrid.Distrid1.Manager", manager.StandardOutput);
        Assert.Matches(@"\.Install\s+method\s+ast\s+o", manager.StandardOutput);
        Assert.Matches(@"\.ListPackages\s+method\s+a\{sv\}\s+aa\{sv\}", manager.StandardOutput);

        await using var client = await BusClient.ConnectAsync(bus.Address);
        string path = await client.InstallAsync(["tool"], Simulate);
        Assert.StartsWith("/org/distrid/Distrid1/Transaction/", path);
        var transaction = await bus.RunAsync("/usr/bin/busctl", ["--system", "introspect", BusClient.Service, path]);
        Assert.True(transaction.ExitCode == 0, transaction.StandardError);
        Assert.Contains("org.distrid.Distrid1.Transaction", transaction.StandardOutput);
        Assert.Matches(@"\.Start\s+method", transaction.StandardOutput);
        Assert.Matches(@"\.StartDetached\s+method", transaction.StandardOutput);
        Assert.Matches(@"\.Finished\s+signal\s+su", transaction.StandardOutput);
        Assert.Matches(@"\.Percentage\s+property\s+u\s+101", transaction.StandardOutput);
        Assert.Matches(@"\.Status\s+property\s+s\s+""waiting""", transaction.StandardOutput);
        Assert.Contains("org.freedesktop.DBus.Properties", transaction.StandardOutput);

        // GLib parses introspection XML strictly: both objects must pass it too.
        foreach (var (objectPath, expected) in new[] { (BusClient.ManagerPath, "GetGenerations(out aa{sv} generations);"), (path, "Finished(s exit, u runtime_ms);") })
        {
            var gdbus = await bus.RunAsync("/usr/bin/gdbus", ["introspect", "--system", "--dest", BusClient.Service, "--object-path", objectPath]);
            Assert.True(gdbus.ExitCode == 0, gdbus.StandardError);
            Assert.Contains(expected, Regex.Replace(gdbus.StandardOutput, @"\s+", " "));
        }
    }

    [Fact]
    public async Task Root_installs_over_DBus_with_progress_signals_before_Finished()
    {
        if (!DBusDaemonFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(fixture.Bus!.Address);
        string path = await client.InstallAsync(["tool"], 0);
        using var watch = await client.WatchAsync(path);
        await client.CallAsync(path, BusClient.Transaction, "Start");

        Assert.Equal("success", await watch.Finished);
        var signals = watch.Signals;
        Assert.Equal("Finished success", signals[^1]);
        Assert.StartsWith("Progress ", signals[0]);
        Assert.DoesNotContain(signals, s => s.StartsWith("ErrorCode", StringComparison.Ordinal));
        Assert.Equal("tool runs", await RunProgramAsync(Path.Combine(system.Paths.Mountpoint, "bin/tool")));

        var properties = await client.GetAllAsync(path);
        Assert.Equal("finished", properties["Status"].GetString());
        Assert.Equal("install", properties["Role"].GetString());
        Assert.Equal(100u, properties["Percentage"].GetUInt32());
        Assert.Equal(0u, properties["Uid"].GetUInt32());
        Assert.Equal(client.UniqueName, properties["Sender"].GetString());
        Assert.False(properties["AllowCancel"].GetBool());

        var generations = await client.CallForDictionariesAsync("GetGenerations", null, null);
        var current = Assert.Single(generations, g => g["current"].GetBool());
        Assert.Contains("tool-amd64-1.0-1", current["packages"].GetArray<string>());
        var found = await client.CallForDictionariesAsync("Search", "s", (ref MessageWriter w) => w.WriteString("tool"));
        var tool = Assert.Single(found, p => p["fullName"].GetString() == "tool-amd64-1.0-1");
        Assert.True(tool["installed"].GetBool());
        Assert.Equal("tool", tool["name"].GetString());
        Assert.Equal(1, tool["revision"].GetInt32());
    }

    [Fact]
    public async Task A_transaction_started_detached_runs_on_after_its_client_leaves()
    {
        if (!DBusDaemonFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        await using var observer = await BusClient.ConnectAsync(fixture.Bus!.Address);
        TransactionWatch watch;
        await using (var client = await BusClient.ConnectAsync(fixture.Bus.Address))
        {
            string path = await client.InstallAsync(["orphaned"], 0);
            watch = await observer.WatchAsync(path);
            // Start would tie the transaction to this client: leaving the bus would cancel it.
            await client.CallAsync(path, BusClient.Transaction, "StartDetached");
        }

        using (watch)
        {
            Assert.Equal("success", await watch.Finished);
        }

        Assert.Equal("orphaned runs", await RunProgramAsync(Path.Combine(system.Paths.Mountpoint, "bin/orphaned")));
    }

    [Fact]
    public async Task Simulate_reports_success_and_changes_nothing()
    {
        if (!DBusDaemonFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(fixture.Bus!.Address);
        int generation = (await client.StatusAsync())["generation"].GetInt32();
        string path = await client.InstallAsync(["simulated"], Simulate);
        using var watch = await client.WatchAsync(path);
        await client.CallAsync(path, BusClient.Transaction, "Start");

        Assert.Equal("success", await watch.Finished);
        Assert.Equal(generation, (await client.StatusAsync())["generation"].GetInt32());
        Assert.False(File.Exists(Path.Combine(system.Paths.Mountpoint, "bin/simulated")));
        Assert.False(File.Exists(Path.Combine(system.Paths.Store, "simulated-amd64-1.0-1.squashfs")));
    }

    [Fact]
    public async Task Only_download_fetches_the_verified_image_and_commits_no_generation()
    {
        if (!DBusDaemonFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        await using var client = await BusClient.ConnectAsync(fixture.Bus!.Address);
        int generation = (await client.StatusAsync())["generation"].GetInt32();
        string path = await client.InstallAsync(["downloaded"], OnlyDownload);
        using var watch = await client.WatchAsync(path);
        await client.CallAsync(path, BusClient.Transaction, "Start");

        Assert.Equal("success", await watch.Finished);
        Assert.True(File.Exists(Path.Combine(system.Paths.Store, "downloaded-amd64-1.0-1.squashfs")));
        Assert.Equal(generation, (await client.StatusAsync())["generation"].GetInt32());
        Assert.False(File.Exists(Path.Combine(system.Paths.Mountpoint, "bin/downloaded")));
    }

    [Fact]
    public async Task Nobody_may_query_on_both_front_ends_but_changes_need_polkit()
    {
        if (!DBusDaemonFixture.Ready() || fixture.System is not { } system)
        {
            return;
        }

        var bus = fixture.Bus!;
        await using var nobody = await BusClient.ConnectAsNobodyAsync(bus);
        Assert.Contains("refused-amd64-1.0-1", await nobody.ListPackagesAsync(available: true));
        int generation = (await nobody.StatusAsync())["generation"].GetInt32();
        var status = await fixture.CliAsync(asNobody: true, "status");
        Assert.True(status.ExitCode == 0, status.Stderr);

        // Refused on D-Bus: the transaction ends with ErrorCode + Finished failed.
        string path = await nobody.InstallAsync(["refused"], 0);
        using (var watch = await nobody.WatchAsync(path))
        {
            await nobody.CallAsync(path, BusClient.Transaction, "Start");
            Assert.Equal("failed", await watch.Finished);
            Assert.Contains(watch.Signals, s => s.StartsWith("ErrorCode not-authorized", StringComparison.Ordinal) || s.StartsWith("ErrorCode interactive-authorization-required", StringComparison.Ordinal));
        }

        // Refused on the socket, with the action named; a local image path is refused for non-root outright.
        var socket = await fixture.CliAsync(asNobody: true, "install", "refused");
        Assert.NotEqual(0, socket.ExitCode);
        Assert.Contains("not authorized: org.distrid.distrid1.install", socket.Stderr);
        var local = await fixture.CliAsync(asNobody: true, "install", "/etc/refused-amd64-1.0-1.squashfs");
        Assert.NotEqual(0, local.ExitCode);
        Assert.Contains("only root may install local image files", local.Stderr);
        Assert.Equal(generation, (await nobody.StatusAsync())["generation"].GetInt32());
        Assert.False(File.Exists(Path.Combine(system.Paths.Mountpoint, "bin/refused")));
        Assert.False(File.Exists(Path.Combine(system.Paths.Store, "refused-amd64-1.0-1.squashfs")));

        await bus.GrantNobodyAsync();
        try
        {
            string granted = await nobody.InstallAsync(["granted"], 0);
            using var watch = await nobody.WatchAsync(granted);
            await nobody.CallAsync(granted, BusClient.Transaction, "Start");
            Assert.Equal("success", await watch.Finished);
            Assert.Equal(65534u, (await nobody.GetAllAsync(granted))["Uid"].GetUInt32());
            Assert.Equal("granted runs", await RunProgramAsync(Path.Combine(system.Paths.Mountpoint, "bin/granted")));

            var viaSocket = await fixture.CliAsync(asNobody: true, "install", "viasocket");
            Assert.True(viaSocket.ExitCode == 0, viaSocket.Stderr);
            Assert.Equal("viasocket runs", await RunProgramAsync(Path.Combine(system.Paths.Mountpoint, "bin/viasocket")));
        }
        finally
        {
            await bus.RevokeNobodyAsync();
        }
    }

    [Fact]
    public async Task Only_the_creator_starts_or_cancels_and_an_abandoned_transaction_goes()
    {
        if (!DBusDaemonFixture.Ready() || fixture.System is null)
        {
            return;
        }

        var bus = fixture.Bus!;
        await using var creator = await BusClient.ConnectAsync(bus.Address);
        await using var other = await BusClient.ConnectAsNobodyAsync(bus);
        string path = await creator.InstallAsync(["cancelled"], 0);
        using var watch = await creator.WatchAsync(path);

        var start = await Assert.ThrowsAsync<DBusErrorReplyException>(() => other.CallAsync(path, BusClient.Transaction, "Start"));
        Assert.Equal("org.freedesktop.DBus.Error.AccessDenied", start.ErrorName);
        // cancel-foreign is auth_admin for everyone: without ALLOW_INTERACTIVE_AUTHORIZATION that is a challenge refused.
        var cancel = await Assert.ThrowsAsync<DBusErrorReplyException>(() => other.CallAsync(path, BusClient.Transaction, "Cancel"));
        Assert.Equal("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", cancel.ErrorName);
        Assert.Contains("org.distrid.distrid1.cancel-foreign", cancel.ErrorMessage);
        Assert.Equal("waiting", (await creator.GetAllAsync(path))["Status"].GetString());

        await creator.CallAsync(path, BusClient.Transaction, "Cancel");
        Assert.Equal("cancelled", await watch.Finished);
        Assert.False(File.Exists(Path.Combine(fixture.System.Paths.Store, "cancelled-amd64-1.0-1.squashfs")));

        // A creator that leaves before Start takes its transaction with it.
        string abandoned;
        await using (var leaving = await BusClient.ConnectAsync(bus.Address))
        {
            abandoned = await leaving.InstallAsync(["cancelled"], 0);
        }

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var error = await Record.ExceptionAsync(() => creator.GetAllAsync(abandoned));
            if (error is DBusErrorReplyException { ErrorName: "org.freedesktop.DBus.Error.UnknownMethod" or "org.freedesktop.DBus.Error.UnknownObject" })
            {
                break;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"{abandoned} is still exported: {error?.Message}");
            await Task.Delay(50);
        }
    }

    private static async Task<string> RunProgramAsync(string program)
    {
        var result = await Task.Run(() => Distri.Core.Tests.Support.ProcessRunner.Run(program));
        return result.StandardOutput.Trim();
    }
}
