using Distrid.Transactions;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>The Manager's Run: a view for <c>districtl run</c>, held by the caller's unique name until it leaves the bus.</summary>
internal sealed partial class ManagerObject
{
    private async Task RunAsync(MethodContext context)
    {
        string[] with = context.Request.GetBodyReader().ReadArrayOfString();
        string sender = context.Request.SenderAsString ?? throw new TransactionException(TransactionError.InvalidRequest, "a call without a sender");
        var caller = await transactions.ResolveCallerAsync(sender);
        var view = await Task.Run(() => queries.Views.Open(with, queries.Views.ForBusName(sender), caller), context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => RunViewWriter.Write(ref writer, view));
    }

    private Task RunEndAsync(MethodContext context)
    {
        string view = context.Request.GetBodyReader().ReadString();
        string sender = context.Request.SenderAsString ?? throw new TransactionException(TransactionError.InvalidRequest, "a call without a sender");
        bool closed = queries.Views.End(view, queries.Views.ForBusName(sender));
        MethodReplies.Reply(context, "b", (ref MessageWriter writer) => writer.WriteBool(closed));
        return Task.CompletedTask;
    }
}
