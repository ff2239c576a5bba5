using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Distrid.Tests.Systemd;

/// <summary>One sd_notify datagram as the stand-in received it.</summary>
public sealed record Notification(TimeSpan At, string Text, int FdCount)
{
    public bool Has(string assignment) => Text.Split('\n').Contains(assignment);
}

/// <summary>
/// The part of systemd distrid talks to, for tests on a machine without systemd as PID 1: a NOTIFY_SOCKET that
/// records every message (with the moment it arrived), an fd store that keeps descriptors sent with FDSTORE=1 and
/// drops them on FDSTOREREMOVE=1, and a service manager that starts distrid with the stored descriptors as
/// fds 3.. and LISTEN_FDS/LISTEN_FDNAMES/LISTEN_PID set (through <see cref="ListenFdsLauncher"/>).
/// </summary>
public sealed class FakeSystemd : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _receiver;
    private readonly List<Notification> _messages = [];
    private readonly List<(string Name, int Fd)> _store = [];
    private readonly List<(Func<Notification, bool> Match, int From, TaskCompletionSource<Notification> Done)> _waiters = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile bool _disposed;

    public FakeSystemd(string directory)
    {
        NotifySocket = Path.Combine(directory, "notify.sock");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(NotifySocket));
        // A short receive timeout lets the receiver thread notice Dispose.
        _socket.ReceiveTimeout = 100;
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "fake-systemd" };
        _receiver.Start();
    }

    public string NotifySocket { get; }

    /// <summary>Time since the stand-in started, on the clock of <see cref="Notification.At"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Runs on the receiving thread the instant a message arrives, before anyone waiting sees it.</summary>
    public Action<Notification>? OnMessage { get; set; }

    public int MessageCount
    {
        get
        {
            lock (_messages)
            {
                return _messages.Count;
            }
        }
    }

    public IReadOnlyList<Notification> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Names of the stored descriptors, in the order they were stored.</summary>
    public IReadOnlyList<string> StoredNames
    {
        get
        {
            lock (_messages)
            {
                return [.. _store.Select(s => s.Name)];
            }
        }
    }

    /// <summary>The stored descriptors (in this process) and their names, in store order.</summary>
    public IReadOnlyList<(string Name, int Fd)> Stored
    {
        get
        {
            lock (_messages)
            {
                return [.. _store];
            }
        }
    }

    /// <summary>Waits for a message at index <paramref name="from"/> or later that has <paramref name="assignment"/>.</summary>
    public Task<Notification> WaitForAsync(string assignment, int from = 0, TimeSpan? timeout = null) =>
        WaitForAsync(m => m.Has(assignment), from, timeout ?? TimeSpan.FromSeconds(60), assignment);

    public async Task<Notification> WaitForAsync(Func<Notification, bool> match, int from, TimeSpan timeout, string what)
    {
        var done = new TaskCompletionSource<Notification>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_messages)
        {
            var existing = _messages.Skip(from).FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add((match, from, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {what} from distrid within {timeout.TotalSeconds} s; got: {string.Join(" | ", Messages.Select(m => m.Text.Replace('\n', ' ')))}");
        }
    }

    private void ReceiveLoop()
    {
        var payload = new byte[4096];
        var fds = new List<int>();
        while (!_disposed)
        {
            fds.Clear();
            int n = NotifyNative.Receive(_socket.Handle, payload, fds);
            if (n < 0)
            {
                continue; // the receive timeout, or an interrupted call: look at _disposed again
            }

            var message = new Notification(_clock.Elapsed, Encoding.UTF8.GetString(payload, 0, n), fds.Count);
            OnMessage?.Invoke(message);
            Store(message, fds);
            List<TaskCompletionSource<Notification>> ready = [];
            lock (_messages)
            {
                _messages.Add(message);
                foreach (var waiter in _waiters.Where(w => w.Match(message)).ToList())
                {
                    _waiters.Remove(waiter);
                    ready.Add(waiter.Done);
                }
            }

            foreach (var done in ready)
            {
                done.TrySetResult(message);
            }
        }
    }

    /// <summary>FDSTORE=1 keeps the fds under FDNAME (default "stored"); FDSTOREREMOVE=1 drops that name.</summary>
    private void Store(Notification message, List<int> fds)
    {
        string name = message.Text.Split('\n').FirstOrDefault(l => l.StartsWith("FDNAME=", StringComparison.Ordinal))?[7..] ?? "stored";
        lock (_messages)
        {
            if (message.Has("FDSTORE=1"))
            {
                _store.AddRange(fds.Select(fd => (name, fd)));
                return;
            }

            if (message.Has("FDSTOREREMOVE=1"))
            {
                foreach (var stored in _store.Where(s => s.Name == name).ToList())
                {
                    NotifyNative.Close(stored.Fd);
                    _store.Remove(stored);
                }
            }
        }

        foreach (int fd in fds)
        {
            NotifyNative.Close(fd); // fds without FDSTORE=1 are refused, as systemd does
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _receiver.Join(TimeSpan.FromSeconds(5));
        _socket.Dispose();
        lock (_messages)
        {
            foreach (var (_, fd) in _store)
            {
                NotifyNative.Close(fd);
            }

            _store.Clear();
        }
    }
}
