using System.Text;
using Distri.Core.Packages;
using Distri.Core.SquashFs.Reading;
using Distrid.FileSystem;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Images;
using Distrid.Fuse.Protocol;
using Distrid.Fuse.Session;
using Distrid.Handover;
using Distrid.Hosting;
using Distrid.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distrid.Tests.Systemd;

/// <summary>The pieces of the systemd integration that need no daemon: parsers, the restart state, the journal.</summary>
public sealed class SystemdUnitTests
{
    private static readonly FuseInitResult SampleInit = new(7, 45, 131072, FuseInitFlags.HasResend, FuseInitFlags.AsyncRead, 1 << 20, 256, 64, 48, 1);

    [Fact]
    public void LISTEN_FDS_counts_from_3_and_names_come_from_LISTEN_FDNAMES()
    {
        var fds = ListenFds.Parse("3", "42", "cli:fuse-state:fuse", pid: 42);

        Assert.Equal([(3, "cli"), (4, "fuse-state"), (5, "fuse")], fds.Remaining);
        Assert.Equal(5, fds.Take("fuse"));
        Assert.Equal(-1, fds.Take("fuse"));
        Assert.Equal(3, fds.TakeAny(FdStoreNames.ApiSocket));
        Assert.Equal([(4, "fuse-state")], fds.Remaining);
    }

    [Theory]
    [InlineData("2", "41", "a:b")] // another process's fds
    [InlineData("2", null, "a:b")]
    [InlineData("x", "42", null)]
    [InlineData("-1", "42", null)]
    [InlineData("0", "42", null)]
    [InlineData("100000", "42", null)]
    public void LISTEN_FDS_for_another_process_or_malformed_gives_nothing(string? count, string? pid, string? names)
    {
        Assert.Empty(ListenFds.Parse(count, pid, names, pid: 42).Remaining);
    }

    [Fact]
    public void Missing_names_are_unknown_as_in_libsystemd()
    {
        Assert.Equal([(3, "only"), (4, "unknown")], ListenFds.Parse("2", "7", "only", pid: 7).Remaining);
    }

    [Theory]
    [InlineData("400000", null, 200)]
    [InlineData("400000", "42", 200)]
    [InlineData("1000", null, 1)] // never below 1 ms
    public void Watchdog_pings_at_half_the_timeout(string usec, string? pid, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), WatchdogSettings.PingInterval(usec, pid, pid: 42));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("0", null)]
    [InlineData("abc", null)]
    [InlineData("400000", "41")] // meant for another process
    public void No_watchdog_when_unset_or_for_another_process(string? usec, string? pid)
    {
        Assert.Null(WatchdogSettings.PingInterval(usec, pid, pid: 42));
    }

    [Fact]
    public void The_restart_state_round_trips_and_only_committed_records_count()
    {
        using var state = HandoverState.Create();
        state.SetConnection(77, SampleInit);
        state.Append([1, 2, 3]);
        state.Append([4, 5]);

        // Bytes past the committed length (a daemon killed between writing records and committing them).
        using (var raw = File.OpenHandle($"/proc/self/fd/{state.Fd}", FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.Write(raw, new byte[] { 9, 9, 9 }, 128 + 5);
        }

        using var successor = HandoverState.Open(Dup(state.Fd), out string? error);

        Assert.Null(error);
        Assert.Equal(77u, successor!.ConnectionId);
        Assert.Equal(SampleInit, successor.Init);
        Assert.Equal([1, 2, 3, 4, 5], successor.ReadRecords());
    }

    [Fact]
    public void A_state_without_a_connection_or_of_another_format_is_refused()
    {
        using var empty = HandoverState.Create();
        Assert.Null(HandoverState.Open(Dup(empty.Fd), out string? error));
        Assert.Contains("no negotiated connection", error);

        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[256]);
            using var handle = File.OpenHandle(path);
            Assert.Null(HandoverState.Open(Dup((int)handle.DangerousGetHandle()), out error));
            Assert.Contains("unknown format", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_node_id_journal_restores_the_same_slots_and_exchange_nodes()
    {
        var (images, exchange, journal) = Tables();
        images.GetOrAdd("zzz-amd64-1-1", "/store/zzz.squashfs");
        exchange.Register(Tree(("zzz-amd64-1-1", ["bin/", "bin/ztool"])));
        byte[] first = journal.TakeNewRecords();
        images.GetOrAdd("aaa-amd64-1-1", "/store/aaa.squashfs");
        exchange.Register(Tree(("zzz-amd64-1-1", ["bin/", "bin/ztool"]), ("aaa-amd64-1-1", ["bin/", "bin/atool", "share/", "share/aaa/", "share/aaa/x"])));
        byte[] second = journal.TakeNewRecords();
        Assert.Empty(journal.TakeNewRecords());

        var (restoredImages, restoredExchange, restoredJournal) = Tables();
        restoredJournal.Restore([.. first, .. second]);

        Assert.Equal(images.NextSlot, restoredImages.NextSlot);
        Assert.Equal("aaa-amd64-1-1", restoredImages.Get(2)!.FullName);
        Assert.Equal("/store/aaa.squashfs", restoredImages.Get(2)!.Path);
        Assert.Equal(exchange.Count, restoredExchange.Count);
        for (int index = 1; index < exchange.Count; index++)
        {
            var original = exchange.At(index);
            var restored = restoredExchange.Get(NodeIds.ForExchange(index))!;
            Assert.Equal(original.NodeId, restored.NodeId);
            Assert.Equal(original.Name, restored.Name);
            Assert.Equal(original.LinkTarget, restored.LinkTarget);
            Assert.Equal(original.Owner, restored.Owner);
            Assert.Equal(original.Children.Select(c => c.NodeId), restored.Children.Select(c => c.NodeId));
        }

        // A successor keeps journaling after what it restored.
        restoredImages.GetOrAdd("new-amd64-1-1", "/store/new.squashfs");
        Assert.Equal(images.NextSlot, BitConverter.ToInt32(restoredJournal.TakeNewRecords(), 1));
    }

    [Theory]
    [InlineData(new byte[] { 7 })] // unknown record
    [InlineData(new byte[] { 1, 2, 0, 0, 0, 1, (byte)'a', 1, (byte)'b' })] // slot 2 before slot 1
    [InlineData(new byte[] { 2, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F })] // an absurd node count
    [InlineData(new byte[] { 1, 1, 0 })] // truncated
    public void A_corrupt_journal_is_refused(byte[] records)
    {
        var (_, _, journal) = Tables();
        Assert.Throws<InvalidDataException>(() => journal.Restore(records));
    }

    [Fact]
    public async Task A_crashing_background_service_makes_the_exit_status_non_zero()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<DaemonFailure>();
        builder.Services.AddHostedService<CrashingService>();
        using var host = builder.Build();

        var failure = host.Services.GetRequiredService<DaemonFailure>();
        var services = host.Services.GetServices<IHostedService>().ToList();

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, failure.ExitCode(services));
    }

    [Fact]
    public void A_daemon_that_did_not_fail_exits_zero()
    {
        using var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true }).Build();
        var failure = new DaemonFailure(host.Services.GetRequiredService<IHostApplicationLifetime>(), NullLogger<DaemonFailure>.Instance);
        Assert.Equal(0, failure.ExitCode([]));
        failure.Fail("the FUSE session ended");
        Assert.Equal(1, failure.ExitCode([]));
    }

    private sealed class CrashingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("boom");
        }
    }

    private static (ImageTable, ExchangeNodeTable, NodeIdJournal) Tables()
    {
        var images = new ImageTable(4, new SquashFsReadOptions());
        var exchange = new ExchangeNodeTable();
        return (images, exchange, new NodeIdJournal(images, exchange));
    }

    private static ExchangeTree Tree(params (string FullName, string[] Paths)[] packages) => ExchangeTreeBuilder.Build(
        [.. packages.Select(p => (PackageName.Parse(p.FullName), new PackageManifest(
            [.. p.Paths.Select(path => new ManifestEntry(Encoding.UTF8.GetBytes(path.TrimEnd('/')), path.EndsWith('/')))])))],
        new Dictionary<string, string>());

    private static int Dup(int fd) => NotifyNative.Dup(fd);
}
