using System.Diagnostics;
using Distrid.Api.Authorization;
using Distrid.Api.DBus;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>
/// One PackageKit transaction object (reference §3, §4): created by CreateTransaction, given hints, then exactly one
/// role method, which replies at once; the results come as signals, ending with at most one ErrorCode and Finished.
/// Only its creator may call it (RefusedByPolicy otherwise). Cancel works until the commit begins.
/// </summary>
internal sealed partial class PackageKitTransaction : IPathMethodHandler
{
    private const int MaxItems = 10_000;
    private const int MaxItemLength = 1024;

    private static readonly string[] PropertyNames =
        ["Role", "Status", "LastPackage", "Uid", "Sender", "Percentage", "AllowCancel", "CallerActive", "ElapsedTime", "RemainingTime", "Speed",
         "DownloadSizeRemaining", "TransactionFlags"];

    private readonly Lock _gate = new();
    // Taken before _gate, never after it: keeps the signals in order (no Package after Finished).
    private readonly Lock _signalOrder = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly Stopwatch _runtime = new();
    private readonly PackageKitDaemon _daemon;
    private readonly CallerIdentity _creator;
    private uint _role;
    private uint _status = PkStatus.Wait;
    private uint _percentage = 101;
    private bool _allowCancel = true;
    private ulong _flags;
    private string _lastPackage = "";
    private bool _interactive;
    private bool _started;
    private bool _finished;

    public PackageKitTransaction(string path, string sender, CallerIdentity creator, PackageKitDaemon daemon)
    {
        Path = path;
        Sender = sender;
        _creator = creator;
        _daemon = daemon;
    }

    public string Path { get; }

    public string Sender { get; }

    public bool HandlesChildPaths => false;

    private PackageKitContext Context => _daemon.Context;

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _started && !_finished;
            }
        }
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([PackageKitIntrospection.Transaction, Introspection.Properties]);
        }
        else if (context.IsPropertiesInterfaceRequest)
        {
            HandleProperties(context);
        }
        else if (request.InterfaceAsString is PackageKitNames.TransactionInterface or null)
        {
            if (request.SenderAsString != Sender)
            {
                context.ReplyError(PackageKitNames.ErrorRefusedByPolicy, "only the creator of a transaction may use it");
                return ValueTask.CompletedTask;
            }

            try
            {
                HandleTransactionMethod(context, request.MemberAsString ?? "", request.SignatureAsString ?? "");
            }
            catch (Exception e) when (e is DBusReadException or DBusUnexpectedValueException or ArgumentException)
            {
                context.ReplyError(PackageKitNames.ErrorInputInvalid, "invalid arguments: " + e.Message);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void HandleTransactionMethod(MethodContext context, string member, string signature)
    {
        var reader = context.Request.GetBodyReader();
        switch (member, signature)
        {
            case ("SetHints", "as"):
                SetHints(context, Bounded(reader.ReadArrayOfString()));
                return;
            case ("Cancel", ""):
                Cancel(context);
                return;
            case ("Resolve", "tas"):
            case ("SearchNames", "tas"):
            case ("SearchDetails", "tas"):
                ulong filter = reader.ReadUInt64();
                var terms = Bounded(reader.ReadArrayOfString());
                Begin(context, member switch { "Resolve" => PkRole.Resolve, "SearchNames" => PkRole.SearchName, _ => PkRole.SearchDetails }, 0,
                    () => SearchAsync(member, filter, terms));
                return;
            case ("SearchFiles", "tas"):
                ulong filesFilter = reader.ReadUInt64();
                var paths = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.SearchFile, 0, () => SearchFilesAsync(filesFilter, paths));
                return;
            case ("WhatProvides", "tas"):
                ulong providesFilter = reader.ReadUInt64();
                var provides = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.WhatProvides, 0, () => WhatProvidesAsync(providesFilter, provides));
                return;
            case ("GetPackages", "t"):
                ulong packagesFilter = reader.ReadUInt64();
                Begin(context, PkRole.GetPackages, 0, () => GetPackagesAsync(packagesFilter));
                return;
            case ("GetDetails", "as"):
                var detailIds = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.GetDetails, 0, () => GetDetailsAsync(detailIds));
                return;
            case ("GetFiles", "as"):
                var fileIds = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.GetFiles, 0, () => GetFilesAsync(fileIds));
                return;
            case ("GetUpdates", "t"):
                reader.ReadUInt64();
                Begin(context, PkRole.GetUpdates, 0, GetUpdatesAsync);
                return;
            case ("GetUpdateDetail", "as"):
                var updateIds = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.GetUpdateDetail, 0, () => GetUpdateDetailAsync(updateIds));
                return;
            case ("DependsOn", "tasb"):
            case ("RequiredBy", "tasb"):
                ulong depFilter = reader.ReadUInt64();
                var depIds = Bounded(reader.ReadArrayOfString());
                bool recursive = reader.ReadBool();
                Begin(context, member == "DependsOn" ? PkRole.DependsOn : PkRole.RequiredBy, 0,
                    () => DependenciesAsync(member == "DependsOn", depFilter, depIds, recursive));
                return;
            case ("GetRepoList", "t"):
                reader.ReadUInt64();
                Begin(context, PkRole.GetRepoList, 0, GetRepoListAsync);
                return;
            case ("RepoEnable", "sb"):
                string repoId = reader.ReadString();
                bool enable = reader.ReadBool();
                Begin(context, PkRole.RepoEnable, 0, () => RepoEnableAsync(repoId, enable));
                return;
            case ("RefreshCache", "b"):
                reader.ReadBool();
                Begin(context, PkRole.RefreshCache, 0, RefreshAsync);
                return;
            case ("InstallPackages", "tas"):
                ulong installFlags = reader.ReadUInt64();
                var installIds = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.InstallPackages, installFlags, () => InstallAsync(installFlags, installIds, PkRole.InstallPackages));
                return;
            case ("UpdatePackages", "tas"):
                ulong updateFlags = reader.ReadUInt64();
                var updatePackageIds = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.UpdatePackages, updateFlags, () => InstallAsync(updateFlags, updatePackageIds, PkRole.UpdatePackages));
                return;
            case ("DownloadPackages", "bas"):
                reader.ReadBool();
                var downloadIds = Bounded(reader.ReadArrayOfString());
                ulong downloadFlags = 1UL << PkFlag.OnlyDownload;
                Begin(context, PkRole.DownloadPackages, downloadFlags, () => InstallAsync(downloadFlags, downloadIds, PkRole.DownloadPackages));
                return;
            case ("RemovePackages", "tasbb"):
                ulong removeFlags = reader.ReadUInt64();
                var removeIds = Bounded(reader.ReadArrayOfString());
                Begin(context, PkRole.RemovePackages, removeFlags, () => RemoveAsync(removeFlags, removeIds));
                return;
            default:
                context.ReplyError(PackageKitNames.ErrorNotSupported, $"{member}({signature}) is not supported by distrid");
                return;
        }
    }

    private static string[] Bounded(string[] items) => items.Length > MaxItems || items.Any(i => i.Length > MaxItemLength)
        ? throw new ArgumentException($"at most {MaxItems} items of at most {MaxItemLength} characters")
        : items;

    private void SetHints(MethodContext context, string[] hints)
    {
        foreach (string hint in hints)
        {
            int equals = hint.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                context.ReplyError(PackageKitNames.ErrorInputInvalid, $"a hint is key=value, not '{hint}'");
                return;
            }

            if (hint[..equals] == "interactive")
            {
                lock (_gate)
                {
                    _interactive = hint[(equals + 1)..] == "true";
                }
            }
        }

        MethodReplies.Reply(context, null, static (ref MessageWriter _) => { });
    }

    /// <summary>Replies, then announces the role and runs it off the bus reader. One role per transaction.</summary>
    private void Begin(MethodContext context, uint role, ulong flags, Func<Task<bool>> run)
    {
        lock (_gate)
        {
            if (_started || _finished)
            {
                context.ReplyError(PackageKitNames.ErrorInvalidState, "a transaction runs one role only");
                return;
            }

            _started = true;
            _role = role;
            _flags = flags;
            _runtime.Start();
        }

        MethodReplies.Reply(context, null, static (ref MessageWriter _) => { });
        PropertiesChanged(flags != 0 ? ["Role", "TransactionFlags"] : ["Role"]);
        _daemon.OnStarted();
        _daemon.Track(RunAsync(run));
    }

    private void Cancel(MethodContext context)
    {
        bool finishNow;
        lock (_gate)
        {
            if (_finished || !_allowCancel)
            {
                context.ReplyError(PackageKitNames.ErrorInvalidState, _finished ? "the transaction has finished" : "the transaction is committing and can no longer be cancelled");
                return;
            }

            finishNow = !_started;
        }

        _cancel.Cancel();
        MethodReplies.Reply(context, null, static (ref MessageWriter _) => { });
        if (finishNow)
        {
            Finish(PkExit.Cancelled, PkError.Cancelled, "cancelled before it started", changedPackages: false);
        }
    }

    /// <summary>Its creator left before calling a role: drop it without a word.</summary>
    public bool TryAbandon()
    {
        lock (_gate)
        {
            if (_started || _finished)
            {
                return false;
            }

            _finished = true;
            return true;
        }
    }

    /// <summary>Its creator left the bus (or the daemon stops): stop at the next cancellation point, never inside a commit.</summary>
    public void CancelForLostCaller() => _cancel.Cancel();

    public void EmitDestroy() =>
        Signals.Emit(Context.Connection, Path, PackageKitNames.TransactionInterface, "Destroy", null, static (ref MessageWriter _) => { });

    private void HandleProperties(MethodContext context) =>
        PropertyReplies.ReadOnly(
            context, "transaction properties are read-only", @interface => @interface is PackageKitNames.TransactionInterface or "" ? (PropertyNames, WriteProperty) : null);

    private void WriteProperty(ref MessageWriter writer, string name)
    {
        lock (_gate)
        {
            switch (name)
            {
                case "Role": writer.WriteVariantUInt32(_role); break;
                case "Status": writer.WriteVariantUInt32(_status); break;
                case "LastPackage": writer.WriteVariantString(_lastPackage); break;
                case "Uid": writer.WriteVariantUInt32(_creator.Uid); break;
                case "Sender": writer.WriteVariantString(Sender); break;
                case "Percentage": writer.WriteVariantUInt32(_percentage); break;
                case "AllowCancel": writer.WriteVariantBool(_allowCancel); break;
                case "CallerActive": writer.WriteVariantBool(true); break;
                case "ElapsedTime": writer.WriteVariantUInt32((uint)Math.Min(uint.MaxValue, _runtime.ElapsedMilliseconds / 1000)); break;
                case "DownloadSizeRemaining" or "TransactionFlags":
                    writer.WriteVariantUInt64(name == "TransactionFlags" ? _flags : 0);
                    break;
                default: writer.WriteVariantUInt32(0); break; // RemainingTime, Speed: not estimated
            }
        }
    }

    private void PropertiesChanged(IReadOnlyList<string> names) =>
        Signals.PropertiesChanged(Context.Connection, Path, PackageKitNames.TransactionInterface, names, WriteProperty);
}
