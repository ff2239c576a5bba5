using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Distrid.Api;
using Distrid.Api.Authorization;
using Distrid.Tests.Support;
using Distrid.Transactions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distrid.Tests.DBus;

/// <summary>Caller identity (SO_PEERCRED, /proc start time), request validation and failing closed, without a bus.</summary>
public sealed class AuthorizationUnitTests
{
    [Theory]
    [InlineData("1234 (bash) S 1 1234 1234 34816 1234 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 10000 200 18446744073709551615", 987654UL)]
    [InlineData("77 (a) b) c (d) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 1 2\n", 424242UL)]
    [InlineData("9 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", 19UL)]
    public void Start_time_is_field_22_counted_after_the_last_parenthesis(string stat, ulong expected)
    {
        Assert.True(ProcStat.TryParseStartTime(Encoding.ASCII.GetBytes(stat), out ulong startTime));
        Assert.Equal(expected, startTime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 (no close paren S 1 2 3")]
    [InlineData("1 (short) S 1 2 3")]
    [InlineData("1 (bad) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 12x4")]
    public void Malformed_stat_lines_are_refused(string stat)
    {
        Assert.False(ProcStat.TryParseStartTime(Encoding.ASCII.GetBytes(stat), out _));
    }

    [Fact]
    public void The_peer_of_a_socket_is_this_process_with_its_real_start_time()
    {
        string path = Path.Combine(Path.GetTempPath(), $"distrid-test-peer-{Guid.NewGuid():N}.sock");
        try
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(path));
            using var accepted = listener.Accept();

            var peer = UnixProcess.FromPeer(accepted);
            Assert.Equal(Environment.ProcessId, peer.Pid);
            string uid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2];
            Assert.Equal(uint.Parse(uid, System.Globalization.CultureInfo.InvariantCulture), peer.Uid);
            string stat = File.ReadAllText($"/proc/{Environment.ProcessId}/stat");
            Assert.Equal(ulong.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], System.Globalization.CultureInfo.InvariantCulture), peer.StartTime);
            Assert.NotEqual(0UL, peer.StartTime);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Local_image_paths_are_refused_for_non_root_and_accepted_for_root()
    {
        var nobody = CallerIdentity.ForProcess(new UnixProcess(1, 1, 65534));
        var root = CallerIdentity.ForProcess(new UnixProcess(1, 1, 0));
        var refused = Assert.Throws<TransactionException>(() => MutationRequests.Install(["/root/secret-amd64-1-1.squashfs"], nobody, TransactionMode.Commit));
        Assert.Equal(TransactionError.NotAuthorized, refused.Error);
        Assert.Contains("only root may install local image files", refused.Message);

        var request = MutationRequests.Install(["/root/secret-amd64-1-1.squashfs"], root, TransactionMode.Commit);
        Assert.Equal("org.distrid.distrid1.install", request.ActionId);
        // Names are fine for everyone; what they may do is polkit's to say.
        Assert.Equal("install", MutationRequests.Install(["zsh"], nobody, TransactionMode.DryRun).Role);
        Assert.Equal(TransactionError.InvalidRequest, Assert.Throws<TransactionException>(() => MutationRequests.Install([], root, TransactionMode.Commit)).Error);
    }

    [Fact]
    public void Every_change_names_its_polkit_action()
    {
        Assert.Equal("org.distrid.distrid1.remove", MutationRequests.Remove(["a"], TransactionMode.Commit).ActionId);
        Assert.Equal("org.distrid.distrid1.update", MutationRequests.Update(TransactionMode.Commit).ActionId);
        Assert.Equal("org.distrid.distrid1.rollback", MutationRequests.Rollback(null, TransactionMode.Commit).ActionId);
        Assert.Equal("org.distrid.distrid1.gc", MutationRequests.Gc(3, TransactionMode.Commit).ActionId);
        Assert.Equal("org.distrid.distrid1.install", MutationRequests.Pin("a", "a-amd64-1-1", TransactionMode.Commit).ActionId);
        string policy = File.ReadAllText(Path.Combine(PrivateSystemBus.RepositoryRoot, "polkit", "org.distrid.distrid1.policy"));
        foreach (string action in new[] { "install", "remove", "update", "rollback", "gc", "repo-configure", "trust-key", "cancel-foreign" })
        {
            Assert.Contains($"<action id=\"org.distrid.distrid1.{action}\">", policy);
        }
    }

    [Fact]
    public async Task Unreachable_polkit_denies_and_root_needs_no_round_trip()
    {
        using var authorizer = new PolkitAuthorizer(NullLogger<PolkitAuthorizer>.Instance, "unix:path=/nonexistent/distrid-test/bus");
        var nobody = CallerIdentity.ForProcess(new UnixProcess(Environment.ProcessId, 1, 65534));
        var watch = Stopwatch.StartNew();
        Assert.Equal(AuthorizationDecision.Denied, await authorizer.CheckAsync(nobody, "org.distrid.distrid1.install", CancellationToken.None));
        Assert.Equal(AuthorizationDecision.Denied, await authorizer.CheckAsync(CallerIdentity.ForBusName(":1.9", 1000, true), "org.distrid.distrid1.update", CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"denying took {watch.Elapsed}");

        var root = CallerIdentity.ForBusName(":1.1", 0, false);
        Assert.Equal(AuthorizationDecision.Allowed, await authorizer.CheckAsync(root, "org.distrid.distrid1.install", CancellationToken.None));
    }
}
