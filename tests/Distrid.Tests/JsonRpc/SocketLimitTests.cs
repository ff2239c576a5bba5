using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Distrid.Protocol;
using Distrid.Tests.Support;

namespace Distrid.Tests.JsonRpc;

/// <summary>
/// The socket's bounds against a real daemon (issue 10, "Done when"): a 100 MiB unterminated line, 10,000 pipelined
/// requests and 500 concurrent connections leave it answering <c>status</c> within 100 ms of a quiet run, with RSS
/// growth under 20 MB.
/// </summary>
public sealed class SocketLimitTests
{
    private const string StatusLine = """{"jsonrpc":"2.0","id":1,"method":"status"}""";
    private static readonly TimeSpan LatencyAllowance = TimeSpan.FromMilliseconds(100);
    private const long RssAllowanceKb = 20 * 1024;

    [Fact]
    public async Task A_huge_line_pipelined_requests_and_500_connections_leave_status_fast_and_memory_bounded()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        // The other user's connections need to reach the socket inside the (0700) temp directory.
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_101_101);
        var paths = new DaemonPaths(dir.Path);
        var daemon = await DaemonProcess.StartAsync(paths);
        try
        {
            // Quiet run: first a day's worth of ordinary use, so that the baseline includes what any busy daemon holds
            // (JIT tiers of the request path, the GC's working set); then the baseline.
            await StatusLatenciesAsync(paths.Socket, 200);
            using (var regular = RawRpcConnection.Connect(paths.Socket))
            {
                for (int i = 0; i < 3000; i++)
                {
                    var answer = await regular.CallAsync(StatusLine);
                    Assert.True(answer.TryGetProperty("result", out _), answer.ToString());
                }
            }

            var quiet = Median(await StatusLatenciesAsync(paths.Socket, 30));
            long quietRss = RssKb(daemon.Pid);
            var report = new StringBuilder($"quiet: status {quiet.TotalMilliseconds:0.0} ms, RSS {quietRss} kB\n");

            // 1. A 100 MiB line without "\n": one error, the connection closes, the rest is never read.
            using (var attacker = RawRpcConnection.Connect(paths.Socket))
            {
                long sent = await SendUntilRefusedAsync(attacker, 100L << 20);
                string? reply = await attacker.ReadLineAsync();
                Assert.NotNull(reply);
                var error = MalformedRequestTests.AssertCleanError(reply, RpcErrorCodes.RequestTooLarge);
                Assert.Equal("request exceeds 1 MiB", error.GetProperty("message").GetString());
                Assert.Null(await attacker.ReadLineAsync());
                Assert.True(sent < 100L << 20, $"the daemon read all {sent} bytes of the line");
                report.Append(CultureInfo.InvariantCulture, $"100 MiB line: refused after {sent >> 10} KiB sent\n");
            }

            await MeasureAsync("after a 100 MiB line");

            // 2a. 10,000 requests in one write, answered in full and in order.
            using (var pipeliner = RawRpcConnection.Connect(paths.Socket))
            {
                var requests = new StringBuilder();
                for (int id = 1; id <= 10_000; id++)
                {
                    requests.Append(CultureInfo.InvariantCulture, $$"""{"jsonrpc":"2.0","id":{{id}},"method":"status"}""").Append('\n');
                }

                var sending = pipeliner.SendAsync(Encoding.UTF8.GetBytes(requests.ToString()));
                await MeasureAsync("while 10,000 pipelined requests are answered");
                var ids = new HashSet<long>();
                for (int i = 0; i < 10_000; i++)
                {
                    var answer = await pipeliner.ReadAnswerAsync();
                    Assert.True(answer.TryGetProperty("result", out _), answer.ToString());
                    ids.Add(answer.GetProperty("id").GetInt64());
                }

                await sending;
                Assert.Equal(10_000, ids.Count);
            }

            // 2b. 10,000 requests from a client that never reads its answers: the daemon stops reading it, nothing piles up.
            using (var deaf = RawRpcConnection.Connect(paths.Socket))
            {
                var flood = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(StatusLine + "\n", 10_000)));
                var sending = deaf.SendAsync(flood);
                await MeasureAsync("while a client sends 10,000 requests and reads no answer");
                Assert.False(sending.IsCompleted, "the daemon took 10,000 requests from a client that reads none of its answers");
                deaf.Socket.Dispose();
                await Assert.ThrowsAnyAsync<Exception>(() => sending);
            }

            // 3. 500 concurrent connections of one unprivileged user: 32 are served, the rest refused with one line.
            var sockets = OtherUid.Connect(paths.Socket, 500, OtherUid.Nobody);
            var crowd = sockets.Select(RawRpcConnection.Adopt).ToList();
            try
            {
                var answers = await Task.WhenAll(crowd.Select(async c =>
                {
                    try
                    {
                        await c.SendLineAsync(StatusLine);
                    }
                    catch (SocketException)
                    {
                        // A refused connection may be closed before the request goes out; its answer is already there.
                    }

                    return await c.ReadLineAsync();
                }));
                int served = answers.Count(a => a is not null && a.Contains("\"result\"", StringComparison.Ordinal));
                var refusals = answers.Where(a => a is null || !a.Contains("\"result\"", StringComparison.Ordinal)).ToList();
                Assert.Equal(32, served);
                Assert.Equal(468, refusals.Count);
                foreach (string? refusal in refusals)
                {
                    Assert.NotNull(refusal);
                    MalformedRequestTests.AssertCleanError(refusal, RpcErrorCodes.TooManyConnections);
                }

                await MeasureAsync("with 500 connections of another user open");
            }
            finally
            {
                crowd.ForEach(c => c.Dispose());
            }

            Assert.True(daemon.Stderr.Contains("request exceeds", StringComparison.Ordinal), daemon.Stderr);

            async Task MeasureAsync(string when)
            {
                var latency = Median(await StatusLatenciesAsync(paths.Socket, 20));
                long rss = RssKb(daemon.Pid);
                report.Append(CultureInfo.InvariantCulture, $"{when}: status {latency.TotalMilliseconds:0.0} ms, RSS {rss} kB (+{rss - quietRss} kB)\n");
                Assert.True(latency <= quiet + LatencyAllowance, report.ToString());
                Assert.True(rss - quietRss < RssAllowanceKb, report.ToString());
            }
        }
        finally
        {
            await daemon.StopAsync();
            await daemon.DisposeAsync();
        }
    }

    /// <summary>Connect, call <c>status</c>, read the answer: what one <c>districtl status</c> costs, <paramref name="count"/> times.</summary>
    private static async Task<List<TimeSpan>> StatusLatenciesAsync(string socketPath, int count)
    {
        var latencies = new List<TimeSpan>(count);
        for (int i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var connection = RawRpcConnection.Connect(socketPath);
            var answer = await connection.CallAsync(StatusLine);
            latencies.Add(clock.Elapsed);
            Assert.True(answer.TryGetProperty("result", out _), answer.ToString());
        }

        return latencies;
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Sends up to <paramref name="total"/> bytes of 'x' (no newline) until the daemon closes; returns how many went out.</summary>
    private static async Task<long> SendUntilRefusedAsync(RawRpcConnection connection, long total)
    {
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, (byte)'x');
        long sent = 0;
        try
        {
            while (sent < total)
            {
                await connection.SendAsync(chunk);
                sent += chunk.Length;
            }
        }
        catch (SocketException)
        {
        }

        return sent;
    }

    private static long RssKb(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
