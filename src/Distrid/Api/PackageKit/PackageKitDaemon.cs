using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Distrid.Api.Authorization;
using Distrid.Api.DBus;
using Distrid.Transactions;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>
/// <c>/org/freedesktop/PackageKit</c>: the daemon interface (properties, CreateTransaction, GetTransactionList,
/// GetTimeSinceAction, CanAuthorize, GetDaemonState; TransactionListChanged, UpdatesChanged, RepoListChanged) and
/// <c>.Offline</c> (<see cref="PackageKitOffline"/>). Owns the transaction objects it creates.
/// </summary>
internal sealed class PackageKitDaemon(PackageKitContext context) : IPathMethodHandler
{
    public static readonly TimeSpan FinishedLifetime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan UnusedLifetime = TimeSpan.FromMinutes(5);

    private static readonly string[] DaemonProperties =
        ["VersionMajor", "VersionMinor", "VersionMicro", "BackendName", "BackendDescription", "BackendAuthor", "Roles", "Groups", "Filters",
         "MimeTypes", "Locked", "NetworkState", "DistroId"];

    private static readonly string DaemonVersion =
        typeof(PackageKitDaemon).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, PackageKitTransaction> _transactions = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, long> _lastFinished = [];
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private uint _next;

    public PackageKitContext Context => context;

    public PackageKitOffline Offline { get; } = new(context, () => EmitUpdatesChanged(context.Connection));

    public string Path => PackageKitNames.DaemonPath;

    public bool HandlesChildPaths => false;

    public ValueTask HandleMethodAsync(MethodContext call)
    {
        var request = call.Request;
        if (call.IsDBusIntrospectRequest)
        {
            call.ReplyIntrospectXml([PackageKitIntrospection.Daemon, PackageKitIntrospection.Offline, Introspection.Properties]);
        }
        else if (call.IsPropertiesInterfaceRequest)
        {
            HandleProperties(call);
        }
        else if (request.InterfaceAsString is PackageKitNames.OfflineInterface)
        {
            Offline.HandleMethod(call);
        }
        else if (request.InterfaceAsString is PackageKitNames.DaemonInterface or null)
        {
            HandleDaemonMethod(call, request.MemberAsString ?? "", request.SignatureAsString ?? "");
        }

        return ValueTask.CompletedTask;
    }

    private void HandleDaemonMethod(MethodContext call, string member, string signature)
    {
        switch (member, signature)
        {
            case ("CreateTransaction", ""):
                MethodReplies.RunDetached(call, context.Logger, CreateTransactionAsync);
                break;
            case ("GetTransactionList", ""):
                var running = Running();
                MethodReplies.Reply(call, "ao", (ref MessageWriter writer) =>
                {
                    var array = writer.WriteArrayStart(DBusType.ObjectPath);
                    foreach (string path in running)
                    {
                        writer.WriteObjectPath(path);
                    }

                    writer.WriteArrayEnd(array);
                });
                break;
            case ("GetTimeSinceAction", "u"):
                uint seconds = SecondsSince(call.Request.GetBodyReader().ReadUInt32());
                MethodReplies.Reply(call, "u", (ref MessageWriter writer) => writer.WriteUInt32(seconds));
                break;
            case ("CanAuthorize", "s"):
                MethodReplies.RunDetached(call, context.Logger, CanAuthorizeAsync);
                break;
            case ("GetDaemonState", ""):
                string state = $"distrid {DaemonVersion} PackageKit service; transactions: {string.Join(", ", Running())}";
                MethodReplies.Reply(call, "s", (ref MessageWriter writer) => writer.WriteString(state));
                break;
            case ("StateHasChanged", "s") or ("SuggestDaemonQuit", "") or ("SetProxy", "ssssss"):
                // Nothing to reload (the daemon watches nothing PackageKit-specific) and no quitting on request.
                MethodReplies.Reply(call, null, static (ref MessageWriter _) => { });
                break;
            case ("GetPackageHistory", "asu"):
                MethodReplies.Reply(call, "a{saa{sv}}", static (ref MessageWriter writer) => writer.WriteDictionaryEnd(writer.WriteDictionaryStart()));
                break;
            default:
                if (member is "CreateTransaction" or "GetTransactionList" or "GetTimeSinceAction" or "CanAuthorize" or "GetDaemonState")
                {
                    call.ReplyError(DBusErrors.InvalidArgs, $"{member} does not take ({signature})");
                }

                break; // unknown: disposing unreplied answers UnknownMethod
        }
    }

    private async Task CreateTransactionAsync(MethodContext call)
    {
        string sender = call.Request.SenderAsString ?? throw new TransactionException(TransactionError.InvalidRequest, "a call without a sender");
        var caller = await context.Callers.ResolveAsync(sender, allowInteraction: false);
        PackageKitTransaction transaction;
        lock (_gate)
        {
            uint number = ++_next;
            string path = "/" + number.ToString(CultureInfo.InvariantCulture) + "_" + Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()));
            transaction = new PackageKitTransaction(path, sender, caller, this);
            _transactions.Add(path, transaction);
        }

        context.Connection.AddMethodHandler(transaction);
        Retire(transaction, UnusedLifetime, onlyIfUnused: true);
        MethodReplies.Reply(call, "o", (ref MessageWriter writer) => writer.WriteObjectPath(transaction.Path));
    }

    private async Task CanAuthorizeAsync(MethodContext call)
    {
        string action = call.Request.GetBodyReader().ReadString();
        if (!action.StartsWith("org.freedesktop.packagekit.", StringComparison.Ordinal) || action.Length > 200)
        {
            throw new TransactionException(TransactionError.InvalidRequest, "CanAuthorize takes an org.freedesktop.packagekit.* action id");
        }

        var caller = await context.Callers.ResolveAsync(call.Request.SenderAsString!, allowInteraction: false);
        var decision = await context.Authorizer.CheckAsync(caller, action, call.RequestAborted);
        uint answer = decision switch
        {
            AuthorizationDecision.Allowed => 1,
            AuthorizationDecision.ChallengeRequired => 3,
            _ => 2,
        };
        MethodReplies.Reply(call, "u", (ref MessageWriter writer) => writer.WriteUInt32(answer));
    }

    private uint SecondsSince(uint role)
    {
        lock (_gate)
        {
            return _lastFinished.TryGetValue(role, out long at)
                ? (uint)Math.Min(uint.MaxValue - 1, Stopwatch.GetElapsedTime(at).TotalSeconds)
                : uint.MaxValue;
        }
    }

    private List<string> Running()
    {
        lock (_gate)
        {
            return [.. _transactions.Values.Where(t => t.IsRunning).Select(t => t.Path)];
        }
    }

    private void HandleProperties(MethodContext call) =>
        PropertyReplies.ReadOnly(call, "PackageKit's properties are read-only", @interface => @interface switch
        {
            PackageKitNames.DaemonInterface => (DaemonProperties, WriteProperty),
            PackageKitNames.OfflineInterface => (PackageKitOffline.PropertyNames, Offline.WriteProperty),
            _ => null,
        });

    private void WriteProperty(ref MessageWriter writer, string name)
    {
        switch (name)
        {
            case "VersionMajor": writer.WriteVariantUInt32(1); break;
            case "VersionMinor": writer.WriteVariantUInt32(2); break;
            case "VersionMicro": writer.WriteVariantUInt32(6); break;
            case "BackendName": writer.WriteVariantString("distrid"); break;
            case "BackendDescription": writer.WriteVariantString($"Distrid {DaemonVersion}: atomic generations of SquashFS images"); break;
            case "BackendAuthor": writer.WriteVariantString("The Distrid authors"); break;
            case "Roles": writer.WriteVariantUInt64(PkRole.Supported); break;
            case "Groups": writer.WriteVariantUInt64(0); break;
            case "Filters": writer.WriteVariantUInt64(PkFilter.Supported); break;
            case "MimeTypes":
                writer.WriteSignature("as");
                writer.WriteArray(Array.Empty<string>());
                break;
            case "Locked": writer.WriteVariantBool(context.Transactions.Current is not null); break;
            case "NetworkState": writer.WriteVariantUInt32(2); break;
            default: writer.WriteVariantString("distri;1;" + PackageCatalog.NativeArch); break; // DistroId
        }
    }

    /// <summary>A transaction started: tell clients the list changed.</summary>
    public void OnStarted() => EmitTransactionList();

    /// <summary>A transaction finished: remember when (GetTimeSinceAction), tell clients, retire it after a while.</summary>
    public void OnFinished(PackageKitTransaction transaction, uint role, bool changedPackages)
    {
        lock (_gate)
        {
            _lastFinished[role] = Stopwatch.GetTimestamp();
        }

        EmitTransactionList();
        if (changedPackages)
        {
            EmitUpdatesChanged(context.Connection);
        }

        Retire(transaction, FinishedLifetime, onlyIfUnused: false);
    }

    public void Track(Task run)
    {
        lock (_gate)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(run);
        }
    }

    public void OnNameLost(string name)
    {
        List<PackageKitTransaction> owned;
        lock (_gate)
        {
            owned = [.. _transactions.Values.Where(t => t.Sender == name)];
        }

        foreach (var transaction in owned)
        {
            if (transaction.TryAbandon())
            {
                Unexport(transaction);
            }
            else
            {
                transaction.CancelForLostCaller();
            }
        }
    }

    private static void EmitUpdatesChanged(DBusConnection connection) =>
        Signals.Emit(connection, PackageKitNames.DaemonPath, PackageKitNames.DaemonInterface, "UpdatesChanged", null, static (ref MessageWriter _) => { });

    /// <summary>The repositories changed (RepoEnable): clients reload their lists.</summary>
    public void EmitRepoListChanged() =>
        Signals.Emit(context.Connection, Path, PackageKitNames.DaemonInterface, "RepoListChanged", null, static (ref MessageWriter _) => { });

    private void EmitTransactionList()
    {
        var running = Running();
        Signals.Emit(context.Connection, Path, PackageKitNames.DaemonInterface, "TransactionListChanged", "as",
            (ref MessageWriter writer) => writer.WriteArray(running));
    }

    private void Retire(PackageKitTransaction transaction, TimeSpan delay, bool onlyIfUnused) => _ = RetireAsync(transaction, delay, onlyIfUnused);

    private async Task RetireAsync(PackageKitTransaction transaction, TimeSpan delay, bool onlyIfUnused)
    {
        try
        {
            await Task.Delay(delay, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (onlyIfUnused && !transaction.TryAbandon())
        {
            return;
        }

        if (!onlyIfUnused)
        {
            transaction.EmitDestroy();
        }

        Unexport(transaction);
    }

    private void Unexport(PackageKitTransaction transaction)
    {
        lock (_gate)
        {
            if (!_transactions.Remove(transaction.Path))
            {
                return;
            }
        }

        context.Connection.RemoveMethodHandler(transaction.Path);
    }

    public async Task StopAsync()
    {
        Task[] running;
        lock (_gate)
        {
            foreach (var transaction in _transactions.Values)
            {
                transaction.CancelForLostCaller();
            }

            running = [.. _running];
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(running);
    }
}
