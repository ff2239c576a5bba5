using System.Text.Json;
using Distrid.Tests.Support;

namespace Distrid.Tests.Daemon;

public sealed class DaemonApiTests
{
    [Fact]
    public async Task Status_and_list_answer_over_the_socket_and_SIGTERM_exits_zero()
    {
        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        await File.WriteAllTextAsync(Path.Combine(paths.Store, "broken name.squashfs"), "not a package");
        await using var daemon = await DaemonProcess.StartAsync(paths);

        var status = await Cli.RunAsync("--socket", paths.Socket, "--json", "status");
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var doc = JsonDocument.Parse(status.Stdout);
        Assert.Equal(paths.Store, doc.RootElement.GetProperty("store").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("packageCount").GetInt32());

        var list = await Cli.RunAsync("--socket", paths.Socket, "--json", "list");
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(list.Stdout).RootElement.ValueKind);

        Assert.Equal(0, await daemon.StopAsync());
        Assert.False(File.Exists(paths.Socket));
    }

    [Fact]
    public async Task A_client_without_a_daemon_says_so_in_one_line()
    {
        using var dir = new TempDirectory();

        var result = await Cli.RunAsync("--socket", Path.Combine(dir.Path, "none.sock"), "status");

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("districtl: no daemon socket at", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_bad_config_file_stops_the_daemon_with_one_line()
    {
        using var dir = new TempDirectory();
        var paths = new DaemonPaths(dir.Path);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "distrid.json"), "{ \"store\": 42 }");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => DaemonProcess.StartAsync(paths));

        Assert.Contains("invalid JSON config", ex.Message);
    }
}
