using Distrid.Api.Authorization;
using Distrid.Api.Repositories;
using Distrid.Protocol;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// <c>/org/distrid/Distrid1</c>, interface <c>org.distrid.Distrid1.Manager</c>. Queries answer directly for
/// everyone; changes only create a transaction object (validated, not yet authorized) and return its path: the
/// caller subscribes to its signals and calls Start, where authorization happens (PackageKit's handshake).
/// </summary>
internal sealed partial class ManagerObject(DistridQueries queries, TransactionRegistry transactions, RepositoryAdmin repositories, ILogger<ManagerObject> logger) : IPathMethodHandler
{
    public string Path => DBusNames.ManagerPath;

    public bool HandlesChildPaths => false;

    private static readonly DBusArgument Flags = new("flags", "t");
    private static readonly DBusArgument TransactionPath = new("transaction", "o");

    /// <summary>Every method of the Manager interface: name, arguments, the JSON-RPC method it mirrors, handler.</summary>
    public static readonly IReadOnlyList<DBusMember<ManagerObject>> Members =
    [
        new("Status", [], [new("status", "a{sv}")], MethodNames.Status, static (m, c) => m.ReplyStatus(c)),
        new("ListPackages", [new("filter", "a{sv}")], [new("packages", "aa{sv}")], MethodNames.List, static (m, c) => m.ListAsync(c)),
        new("Search", [new("term", "s")], [new("packages", "aa{sv}")], MethodNames.Search, static (m, c) => m.SearchAsync(c)),
        new("Info", [new("package", "s")], [new("package", "a{sv}")], MethodNames.Info, static (m, c) => m.InfoAsync(c)),
        new("GetGenerations", [], [new("generations", "aa{sv}")], MethodNames.Generations, static (m, c) => m.ReplyGenerations(c)),
        new("Install", [new("packages", "as"), Flags], [TransactionPath], MethodNames.Install, static (m, c) => m.CreateTransactionAsync(c, (r, caller) =>
            Install(r.ReadArrayOfString(), caller, r.ReadUInt64()))),
        new("Remove", [new("packages", "as"), Flags], [TransactionPath], MethodNames.Remove, static (m, c) => m.CreateTransactionAsync(c, (r, _) =>
            MutationRequests.Remove(r.ReadArrayOfString(), TransactionFlagsExtensions.ToMode(r.ReadUInt64())))),
        new("Update", [Flags], [TransactionPath], MethodNames.Update, static (m, c) => m.CreateTransactionAsync(c, (r, _) =>
            MutationRequests.Update(TransactionFlagsExtensions.ToMode(r.ReadUInt64())))),
        new("Rollback", [new("generation", "u"), Flags], [TransactionPath], MethodNames.Rollback, static (m, c) => m.CreateTransactionAsync(c, (r, _) =>
            Rollback(r.ReadUInt32(), r.ReadUInt64()))),
        new("Gc", [new("keep", "u"), Flags], [TransactionPath], MethodNames.Gc, static (m, c) => m.CreateTransactionAsync(c, (r, _) =>
            Gc(r.ReadUInt32(), r.ReadUInt64()))),
        new("Pin", [new("name", "s"), new("fullName", "s"), Flags], [TransactionPath], MethodNames.Pin, static (m, c) => m.CreateTransactionAsync(c, (r, _) =>
            Pin(r.ReadString(), r.ReadString(), r.ReadUInt64()))),
        new("Unpin", [new("name", "s"), Flags], [TransactionPath], MethodNames.Unpin, static (m, c) => m.CreateTransactionAsync(c, (r, _) =>
            MutationRequests.Pin(r.ReadString(), null, TransactionFlagsExtensions.ToMode(r.ReadUInt64())))),
        new("Run", [new("with", "as")], [new("view", "a{sv}")], MethodNames.Run, static (m, c) => m.RunAsync(c)),
        new("RunEnd", [new("view", "s")], [new("closed", "b")], MethodNames.RunEnd, static (m, c) => m.RunEndAsync(c)),
        new("Files", [new("package", "s")], [new("files", "a{sv}")], MethodNames.Files, static (m, c) => m.FilesAsync(c)),
        new("Owns", [new("path", "s")], [new("owner", "a{sv}")], MethodNames.Owns, static (m, c) => m.OwnsAsync(c)),
        new("Why", [new("package", "s")], [new("why", "a{sv}")], MethodNames.Why, static (m, c) => m.WhyAsync(c)),
        new("History", [], [new("transactions", "aa{sv}")], MethodNames.History, static (m, c) => m.ReplyHistory(c)),
        new("Diff", [new("from", "u"), new("to", "u")], [new("diff", "a{sv}")], MethodNames.Diff, static (m, c) => m.ReplyDiff(c)),
        new("Verify", [new("packages", "as")], [new("results", "aa{sv}")], MethodNames.Verify, static (m, c) => m.VerifyAsync(c)),
        new("RepoList", [], [new("repositories", "aa{sv}")], MethodNames.RepoList, static (m, c) => m.ReplyRepoList(c)),
        new("RepoAdd", [new("url", "s"), new("key", "s"), new("fingerprint", "s")], [new("repository", "a{sv}")], MethodNames.RepoAdd, static (m, c) => m.RepoAddAsync(c)),
        new("RepoRemove", [new("url", "s")], [new("repository", "a{sv}")], MethodNames.RepoRemove, static (m, c) => m.RepoRemoveAsync(c)),
        new("RepoEnable", [new("url", "s")], [new("repository", "a{sv}")], MethodNames.RepoEnable, static (m, c) => m.RepoSetEnabledAsync(c, true)),
        new("RepoDisable", [new("url", "s")], [new("repository", "a{sv}")], MethodNames.RepoDisable, static (m, c) => m.RepoSetEnabledAsync(c, false)),
    ];

    private static readonly Dictionary<string, DBusMember<ManagerObject>> ByName = Members.ToDictionary(m => m.Name, StringComparer.Ordinal);

    private delegate MutationRequest DecodeMutation(Reader reader, CallerIdentity caller);

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([Introspection.Manager]);
            return ValueTask.CompletedTask;
        }

        string member = request.MemberAsString ?? "";
        if (request.InterfaceAsString is not (DBusNames.ManagerInterface or null))
        {
            context.ReplyError(DBusErrors.UnknownInterface, $"{Path} has no interface {request.InterfaceAsString}");
            return ValueTask.CompletedTask;
        }

        if (!ByName.TryGetValue(member, out var method))
        {
            context.ReplyError(DBusErrors.UnknownMethod, $"{DBusNames.ManagerInterface} has no method {member}");
            return ValueTask.CompletedTask;
        }

        if ((request.SignatureAsString ?? "") != method.InSignature)
        {
            context.ReplyError(DBusErrors.InvalidArgs, $"{member} takes ({method.InSignature}), not ({request.SignatureAsString})");
            return ValueTask.CompletedTask;
        }

        MethodReplies.RunDetached(context, logger, c => method.Handler(this, c));
        return ValueTask.CompletedTask;
    }

    private async Task ListAsync(MethodContext context)
    {
        bool available = ReadListFilter(context.Request);
        ReplyPackages(context, await queries.ListAsync(available, context.RequestAborted));
    }

    private async Task SearchAsync(MethodContext context)
    {
        string term = context.Request.GetBodyReader().ReadString();
        ReplyPackages(context, await queries.SearchAsync(term, context.RequestAborted));
    }

    private async Task InfoAsync(MethodContext context)
    {
        string package = context.Request.GetBodyReader().ReadString();
        var info = await queries.InfoAsync(package, context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => DtoWriter.WritePackage(ref writer, info));
    }

    private async Task CreateTransactionAsync(MethodContext context, DecodeMutation decode)
    {
        string sender = context.Request.SenderAsString ?? throw new TransactionException(TransactionError.InvalidRequest, "a call without a sender");
        var caller = await transactions.ResolveCallerAsync(sender);
        var request = decode(context.Request.GetBodyReader(), caller);
        string path = transactions.Create(request, sender, caller).Path;
        MethodReplies.Reply(context, "o", (ref MessageWriter writer) => writer.WriteObjectPath(path));
    }

    /// <summary><paramref name="keep"/> 0: the default (<see cref="ProtocolDefaults.GcKeep"/>), as JSON-RPC without keep.</summary>
    private static MutationRequest Gc(uint keep, ulong flags) => keep > int.MaxValue
        ? throw new TransactionException(TransactionError.InvalidRequest, $"gc cannot keep {keep} generations")
        : MutationRequests.Gc(keep == 0 ? ProtocolDefaults.GcKeep : (int)keep, TransactionFlagsExtensions.ToMode(flags));

    private static MutationRequest Pin(string name, string fullName, ulong flags) => fullName.Length == 0
        ? throw new TransactionException(TransactionError.InvalidRequest, "pin needs a full name; Unpin releases a name")
        : MutationRequests.Pin(name, fullName, TransactionFlagsExtensions.ToMode(flags));

    private static MutationRequest Rollback(uint generation, ulong flags) => generation > int.MaxValue
        ? throw new TransactionException(TransactionError.InvalidRequest, $"no generation {generation}")
        : MutationRequests.Rollback(generation == 0 ? null : (int)generation, TransactionFlagsExtensions.ToMode(flags));

    /// <summary>Filter keys: "available" (b). Unknown keys are refused so that a typo never widens a listing silently.</summary>
    private static bool ReadListFilter(Message request)
    {
        var filter = request.GetBodyReader().ReadDictionaryOfStringToVariantValue();
        bool available = false;
        foreach (var (key, value) in filter)
        {
            if (key != "available" || value.Type != VariantValueType.Bool)
            {
                throw new TransactionException(TransactionError.InvalidRequest, $"unknown filter {key}; the filter knows \"available\" (b)");
            }

            available = value.GetBool();
        }

        return available;
    }

    private Task ReplyStatus(MethodContext context)
    {
        var status = queries.Status();
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => DtoWriter.WriteStatus(ref writer, status));
        return Task.CompletedTask;
    }

    private static void ReplyPackages(MethodContext context, IReadOnlyList<Protocol.PackageInfo> packages) =>
        MethodReplies.Reply(context, "aa{sv}", (ref MessageWriter writer) => DtoWriter.WritePackages(ref writer, packages));

    private Task ReplyGenerations(MethodContext context)
    {
        var generations = queries.Generations();
        MethodReplies.Reply(context, "aa{sv}", (ref MessageWriter writer) => DtoWriter.WriteGenerations(ref writer, generations));
        return Task.CompletedTask;
    }
}
