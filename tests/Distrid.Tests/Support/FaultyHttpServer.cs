using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Distrid.Tests.Support;

/// <summary>What the fault server does instead of (or while) serving a file.</summary>
public abstract record Fault;

/// <summary>Answers with this status and an empty body.</summary>
public sealed record StatusFault(int Code, string Reason) : Fault;

/// <summary>Sends the response headers (with the real Content-Length), then nothing until the client gives up.</summary>
public sealed record StallFault : Fault;

/// <summary>Sends headers and the first <paramref name="AfterBytes"/> bytes of the body, then closes the connection (short body).</summary>
public sealed record CutFault(long AfterBytes) : Fault;

/// <summary>Sends the file without Content-Length (body ends at close) followed by <paramref name="ExtraBytes"/> more bytes.</summary>
public sealed record OversizeFault(int ExtraBytes) : Fault;

/// <summary>
/// Sends the headers, then the body at about <paramref name="BytesPerSecond"/> (a chunk every 100 ms, at least one byte)
/// until it is all sent or the client gives up: a mirror that never goes silent yet never finishes.
/// </summary>
public sealed record TrickleFault(int BytesPerSecond) : Fault;

/// <summary>
/// Sends the headers and the first <paramref name="Bytes"/> bytes, then holds the rest until <paramref name="Release"/>
/// completes (or the client gives up): a transfer that is in progress for exactly as long as the test needs.
/// </summary>
public sealed record HoldFault(long Bytes, Task Release) : Fault;

/// <summary>One request as the server saw it.</summary>
public sealed record SeenRequest(string Path, long? RangeStart);

/// <summary>
/// A minimal static HTTP/1.1 file server on 127.0.0.1 (GET, <c>Range: bytes=N-</c>, one request per connection) that
/// misbehaves on purpose: faults are queued per path and consumed by the next requests of that path. Real sockets, so
/// the client under test sees real resets, stalls and short bodies.
/// </summary>
public sealed class FaultyHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly string _root;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SeenRequest> _requests = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly List<(string Prefix, int Missing, TaskCompletionSource Seen)> _requestWaiters = [];
    private readonly Task _acceptLoop;

    public FaultyHttpServer(string root)
    {
        _root = root;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}/");

    public Uri UrlFor(string relativePath) => new(BaseUri, relativePath);

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<SeenRequest> Requests => [.. _requests];

    /// <summary>Completes when <paramref name="count"/> requests whose path starts with <paramref name="pathPrefix"/> have arrived.</summary>
    public Task WaitForRequestAsync(string pathPrefix, int count = 1)
    {
        lock (_requestWaiters)
        {
            int missing = count - _requests.Count(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));
            if (missing <= 0)
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _requestWaiters.Add((pathPrefix, missing, seen));
            return seen.Task;
        }
    }

    /// <summary>The next <paramref name="times"/> requests of <paramref name="path"/> (URL path, e.g. "/repo/index.json") fail with <paramref name="fault"/>.</summary>
    public void AddFault(string path, Fault fault, int times = 1)
    {
        var queue = _faults.GetOrAdd(path, _ => new ConcurrentQueue<Fault>());
        for (int i = 0; i < times; i++)
        {
            queue.Enqueue(fault);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var task = ServeAsync(socket);
            _connections[task] = true;
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var connection = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            var (path, rangeStart) = await ReadRequestAsync(stream);
            Fault? fault = _faults.TryGetValue(path, out var queue) && queue.TryDequeue(out var f) ? f : null;
            Record(new SeenRequest(path, rangeStart));
            if (fault is StatusFault status)
            {
                await WriteHeadAsync(stream, status.Code, status.Reason, 0, null);
                return;
            }

            string file = Path.Combine(_root, Uri.UnescapeDataString(path.TrimStart('/')));
            if (path.Contains("..", StringComparison.Ordinal) || !File.Exists(file))
            {
                await WriteHeadAsync(stream, 404, "Not Found", 0, null);
                return;
            }

            byte[] content = await File.ReadAllBytesAsync(file, _stop.Token);
            long start = rangeStart is long s && s < content.Length ? s : 0;
            if (rangeStart is long r && r >= content.Length)
            {
                await WriteHeadAsync(stream, 416, "Range Not Satisfiable", 0, null);
                return;
            }

            string? contentRange = rangeStart is null ? null : $"bytes {start}-{content.Length - 1}/{content.Length}";
            if (fault is OversizeFault oversize)
            {
                await WriteHeadAsync(stream, 200, "OK", null, null);
                await stream.WriteAsync(content, _stop.Token);
                await stream.WriteAsync(new byte[oversize.ExtraBytes], _stop.Token);
                return;
            }

            await WriteHeadAsync(stream, rangeStart is null ? 200 : 206, rangeStart is null ? "OK" : "Partial Content", content.Length - start, contentRange);
            switch (fault)
            {
                case StallFault:
                    // Hold the connection open and silent until the client closes it or the server stops.
                    _ = await stream.ReadAsync(new byte[1], _stop.Token);
                    return;
                case TrickleFault trickle:
                    int chunk = Math.Max(1, trickle.BytesPerSecond / 10);
                    for (long at = start; at < content.Length; at += chunk)
                    {
                        await stream.WriteAsync(content.AsMemory((int)at, (int)Math.Min(chunk, content.Length - at)), _stop.Token);
                        await Task.Delay(TimeSpan.FromMilliseconds(1000.0 * chunk / trickle.BytesPerSecond), _stop.Token);
                    }

                    return;
                case HoldFault hold:
                    int head = (int)Math.Min(hold.Bytes, content.Length - start);
                    await stream.WriteAsync(content.AsMemory((int)start, head), _stop.Token);
                    var clientGone = stream.ReadAsync(new byte[1], _stop.Token).AsTask();
                    if (await Task.WhenAny(hold.Release, clientGone) == hold.Release)
                    {
                        await stream.WriteAsync(content.AsMemory((int)start + head), _stop.Token);
                    }

                    return;
                case CutFault cut:
                    await stream.WriteAsync(content.AsMemory((int)start, (int)Math.Min(cut.AfterBytes, content.Length - start)), _stop.Token);
                    return;
                default:
                    await stream.WriteAsync(content.AsMemory((int)start), _stop.Token);
                    return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidDataException)
        {
            // The client went away (as it should after a stall) or the server is stopping.
        }
    }

    private void Record(SeenRequest request)
    {
        lock (_requestWaiters)
        {
            _requests.Enqueue(request);
            for (int i = _requestWaiters.Count - 1; i >= 0; i--)
            {
                var (prefix, missing, seen) = _requestWaiters[i];
                if (!request.Path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (missing > 1)
                {
                    _requestWaiters[i] = (prefix, missing - 1, seen);
                }
                else
                {
                    seen.TrySetResult();
                    _requestWaiters.RemoveAt(i);
                }
            }
        }
    }

    private async Task<(string Path, long? RangeStart)> ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0 || head.Length > 16 * 1024)
            {
                throw new InvalidDataException("incomplete request");
            }

            head.Append((char)one[0]);
        }

        string[] lines = head.ToString().Split("\r\n");
        string path = lines[0].Split(' ')[1];
        long? rangeStart = null;
        foreach (string line in lines)
        {
            if (line.StartsWith("Range: bytes=", StringComparison.OrdinalIgnoreCase))
            {
                rangeStart = long.Parse(line["Range: bytes=".Length..].TrimEnd('-'), CultureInfo.InvariantCulture);
            }
        }

        return (path, rangeStart);
    }

    private async Task WriteHeadAsync(NetworkStream stream, int code, string reason, long? length, string? contentRange)
    {
        string head = $"HTTP/1.1 {code} {reason}\r\n" + (length is null ? "" : $"Content-Length: {length}\r\n") + "Connection: close\r\n"
            + (contentRange is null ? "" : $"Content-Range: {contentRange}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
        _acceptLoop.GetAwaiter().GetResult();
        Task.WaitAll([.. _connections.Keys], TimeSpan.FromSeconds(5));
    }
}
