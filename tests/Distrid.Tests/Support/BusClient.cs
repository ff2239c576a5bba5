using System.Diagnostics;
using Tmds.DBus.Protocol;

namespace Distrid.Tests.Support;

/// <summary>
/// A test's own D-Bus client (Tmds.DBus.Protocol) of distrid: calls, transaction signals in arrival order. As
/// nobody it connects through a socat started as uid 65534, so the bus (and polkit) see a nobody peer.
/// </summary>
public sealed class BusClient : IAsyncDisposable
{
    public const string Service = "org.distrid.Distrid1";
    public const string ManagerPath = "/org/distrid/Distrid1";
    public const string Manager = "org.distrid.Distrid1.Manager";
    public const string Transaction = "org.distrid.Distrid1.Transaction";

    private readonly DBusConnection _connection;
    private readonly Process? _proxy;

    private BusClient(DBusConnection connection, Process? proxy)
    {
        _connection = connection;
        _proxy = proxy;
    }

    public string UniqueName => _connection.UniqueName!;

    public static async Task<BusClient> ConnectAsync(string address)
    {
        var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        return new BusClient(connection, null);
    }

    /// <summary>Connects as uid 65534: a socat running as nobody relays one connection to the bus.</summary>
    public static async Task<BusClient> ConnectAsNobodyAsync(PrivateSystemBus bus)
    {
        string relay = Path.Combine(bus.SharedDirectory, $"nobody-{Guid.NewGuid():N}.sock");
        var psi = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "socat", "-d", "-d", $"UNIX-LISTEN:{relay},mode=0666", $"UNIX-CONNECT:{bus.SocketPath}" })
        {
            psi.ArgumentList.Add(arg);
        }

        var proxy = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // socat -d -d says "listening on" once the socket exists: the readiness signal, no polling.
        while (await proxy.StandardError.ReadLineAsync(timeout.Token) is { } line && !line.Contains("listening on", StringComparison.Ordinal))
        {
        }

        _ = proxy.StandardError.ReadToEndAsync(CancellationToken.None);
        var connection = new DBusConnection(new NobodyOptions("unix:path=" + relay));
        await connection.ConnectAsync();
        return new BusClient(connection, proxy);
    }

    /// <summary>EXTERNAL authentication claims the uid the bus sees on the relay's socket.</summary>
    private sealed class NobodyOptions(string address) : DBusConnectionOptions
    {
        protected override ValueTask<SetupResult> SetupAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new SetupResult(address) { UserId = "65534", SupportsFdPassing = false });
    }

    public delegate void BodyWriter(ref MessageWriter writer);

    public Task<T> CallAsync<T>(string path, string @interface, string member, string? signature, BodyWriter? body, MessageValueReader<T> reader, MessageFlags flags = MessageFlags.None)
    {
        var writer = _connection.GetMessageWriter();
        MessageBuffer message;
        try
        {
            writer.WriteMethodCallHeader(Service, path, @interface, member, signature, flags);
            body?.Invoke(ref writer);
            message = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }

        return _connection.CallMethodAsync(message, reader);
    }

    public Task CallAsync(string path, string @interface, string member) =>
        CallAsync(path, @interface, member, null, null, static (_, _) => true);

    /// <summary>Install/Remove(as, t) and friends: the new transaction's object path.</summary>
    public Task<string> CreateAsync(string member, string signature, BodyWriter body) =>
        CallAsync(ManagerPath, Manager, member, signature, body, static (m, _) => m.GetBodyReader().ReadObjectPathAsString());

    public Task<string> InstallAsync(string[] packages, ulong flags) =>
        CreateAsync("Install", "ast", (ref MessageWriter w) =>
        {
            w.WriteArray(packages);
            w.WriteUInt64(flags);
        });

    public Task<Dictionary<string, VariantValue>> StatusAsync() =>
        CallAsync(ManagerPath, Manager, "Status", null, null, static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue());

    /// <summary>A method answering aa{sv} (GetGenerations, Search ...), as dictionaries.</summary>
    public Task<List<Dictionary<string, VariantValue>>> CallForDictionariesAsync(string member, string? signature, BodyWriter? body) =>
        CallAsync(ManagerPath, Manager, member, signature, body, static (m, _) =>
        {
            var reader = m.GetBodyReader();
            var items = new List<Dictionary<string, VariantValue>>();
            var end = reader.ReadArrayStart(DBusType.Array);
            while (reader.HasNext(end))
            {
                items.Add(reader.ReadDictionaryOfStringToVariantValue());
            }

            return items;
        });

    /// <summary>ListPackages({"available": b}): the full names.</summary>
    public Task<List<string>> ListPackagesAsync(bool available) =>
        CallAsync(ManagerPath, Manager, "ListPackages", "a{sv}", (ref MessageWriter w) =>
        {
            var dict = w.WriteDictionaryStart();
            w.WriteDictionaryEntryStart();
            w.WriteString("available");
            w.WriteVariantBool(available);
            w.WriteDictionaryEnd(dict);
        }, static (m, _) =>
        {
            var reader = m.GetBodyReader();
            var names = new List<string>();
            var end = reader.ReadArrayStart(DBusType.Array);
            while (reader.HasNext(end))
            {
                names.Add(reader.ReadDictionaryOfStringToVariantValue()["fullName"].GetString());
            }

            return names;
        });

    public Task<Dictionary<string, VariantValue>> GetAllAsync(string path) =>
        CallAsync(path, "org.freedesktop.DBus.Properties", "GetAll", "s", (ref MessageWriter w) => w.WriteString(Transaction),
            static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue());

    /// <summary>Subscribes to a transaction's signals (before Start, as clients must).</summary>
    public async Task<TransactionWatch> WatchAsync(string path)
    {
        var watch = new TransactionWatch();
        watch.Subscription = await _connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Path = path, Interface = Transaction },
            static (m, _) => TransactionWatch.Decode(m),
            n =>
            {
                if (n.HasValue)
                {
                    watch.Add(n.Value);
                }
            },
            emitOnCapturedContext: false);
        return watch;
    }

    public async ValueTask DisposeAsync()
    {
        _connection.Dispose();
        if (_proxy is not null)
        {
            if (!_proxy.HasExited)
            {
                _proxy.Kill();
                await _proxy.WaitForExitAsync();
            }

            _proxy.Dispose();
        }
    }
}

/// <summary>The signals of one transaction, in arrival order: "Progress item percent", "ErrorCode code: details", "Finished exit".</summary>
public sealed class TransactionWatch : IDisposable
{
    private readonly List<string> _signals = [];
    private readonly TaskCompletionSource<string> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal IDisposable? Subscription { get; set; }

    public IReadOnlyList<string> Signals
    {
        get
        {
            lock (_signals)
            {
                return [.. _signals];
            }
        }
    }

    /// <summary>The Finished exit ("success", "failed", "cancelled").</summary>
    public Task<string> Finished => _finished.Task.WaitAsync(TimeSpan.FromMinutes(2));

    internal static string Decode(Message message)
    {
        var reader = message.GetBodyReader();
        return message.MemberAsString switch
        {
            "Progress" => $"Progress {reader.ReadString()} {reader.ReadUInt32()}",
            "ErrorCode" => $"ErrorCode {reader.ReadString()}: {reader.ReadString()}",
            "Finished" => $"Finished {reader.ReadString()}",
            var other => other ?? "",
        };
    }

    internal void Add(string signal)
    {
        lock (_signals)
        {
            _signals.Add(signal);
        }

        if (signal.StartsWith("Finished ", StringComparison.Ordinal))
        {
            _finished.TrySetResult(signal["Finished ".Length..]);
        }
    }

    public void Dispose() => Subscription?.Dispose();
}
