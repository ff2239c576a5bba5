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
internal sealed class ManagerObject(DistridQueries queries, TransactionRegistry transactions, ILogger<ManagerObject> logger) : IPathMethodHandler
{
    public string Path => DBusNames.ManagerPath;

    public bool HandlesChildPaths => false;

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([Introspection.Manager]);
            return ValueTask.CompletedTask;
        }

        if (request.InterfaceAsString is not (DBusNames.ManagerInterface or null))
        {
            return ValueTask.CompletedTask; // disposing unreplied answers UnknownMethod
        }

        string member = request.MemberAsString ?? "";
        string? expected = Signature(member);
        if (expected is null)
        {
            return ValueTask.CompletedTask;
        }

        if ((request.SignatureAsString ?? "") != expected)
        {
            context.ReplyError(DBusErrors.InvalidArgs, $"{member} takes ({expected}), not ({request.SignatureAsString})");
            return ValueTask.CompletedTask;
        }

        MethodReplies.RunDetached(context, logger, c => HandleAsync(c, member));
        return ValueTask.CompletedTask;
    }

    /// <summary>The argument signature of each method; null for a method that does not exist.</summary>
    private static string? Signature(string member) => member switch
    {
        "Status" or "GetGenerations" => "",
        "ListPackages" => "a{sv}",
        "Search" => "s",
        "Install" or "Remove" => "ast",
        "Update" or "Gc" => "t",
        "Rollback" => "ut",
        _ => null,
    };

    private async Task HandleAsync(MethodContext context, string member)
    {
        switch (member)
        {
            case "Status":
                ReplyStatus(context);
                break;
            case "ListPackages":
                bool available = ReadListFilter(context.Request);
                ReplyPackages(context, await queries.ListAsync(available, context.RequestAborted));
                break;
            case "Search":
                string term = context.Request.GetBodyReader().ReadString();
                ReplyPackages(context, await queries.SearchAsync(term, context.RequestAborted));
                break;
            case "GetGenerations":
                ReplyGenerations(context);
                break;
            default:
                await CreateTransactionAsync(context, member);
                break;
        }
    }

    private async Task CreateTransactionAsync(MethodContext context, string member)
    {
        string sender = context.Request.SenderAsString ?? throw new TransactionException(TransactionError.InvalidRequest, "a call without a sender");
        var caller = await transactions.ResolveCallerAsync(sender);
        var reader = context.Request.GetBodyReader();
        var request = member switch
        {
            "Install" => MutationRequests.Install(reader.ReadArrayOfString(), caller, TransactionFlagsExtensions.ToMode(reader.ReadUInt64())),
            "Remove" => MutationRequests.Remove(reader.ReadArrayOfString(), TransactionFlagsExtensions.ToMode(reader.ReadUInt64())),
            "Update" => MutationRequests.Update(TransactionFlagsExtensions.ToMode(reader.ReadUInt64())),
            "Rollback" => Rollback(reader.ReadUInt32(), reader.ReadUInt64()),
            _ => MutationRequests.Gc(ProtocolDefaults.GcKeep, TransactionFlagsExtensions.ToMode(reader.ReadUInt64())),
        };
        string path = transactions.Create(request, sender, caller).Path;
        MethodReplies.Reply(context, "o", (ref MessageWriter writer) => writer.WriteObjectPath(path));
    }

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

    private void ReplyStatus(MethodContext context)
    {
        var status = queries.Status();
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => DtoWriter.WriteStatus(ref writer, status));
    }

    private static void ReplyPackages(MethodContext context, IReadOnlyList<Protocol.PackageInfo> packages) =>
        MethodReplies.Reply(context, "aa{sv}", (ref MessageWriter writer) => DtoWriter.WritePackages(ref writer, packages));

    private void ReplyGenerations(MethodContext context)
    {
        var generations = queries.Generations();
        MethodReplies.Reply(context, "aa{sv}", (ref MessageWriter writer) => DtoWriter.WriteGenerations(ref writer, generations));
    }
}
