using Distrid.Api.Authorization;
using Distrid.Transactions;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>The Manager's admin queries (Files, Owns, Why, History, Diff, Verify): decode, ask <see cref="DistridQueries.Admin"/>, reply.</summary>
internal sealed partial class ManagerObject
{
    private static MutationRequest Install(string[] packages, CallerIdentity caller, ulong flags)
    {
        const ulong reinstall = (ulong)TransactionFlags.AllowReinstall;
        return MutationRequests.Install(packages, caller, TransactionFlagsExtensions.ToMode(flags & ~reinstall), (flags & reinstall) != 0);
    }

    private static MutationRequest Update(ulong flags)
    {
        const ulong apply = (ulong)TransactionFlags.ApplyDownloaded;
        return MutationRequests.Update(TransactionFlagsExtensions.ToMode(flags & ~apply), (flags & apply) != 0);
    }

    private async Task FilesAsync(MethodContext context)
    {
        string package = context.Request.GetBodyReader().ReadString();
        var files = await queries.Admin.FilesAsync(package, context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => AdminDtoWriter.WriteFiles(ref writer, files));
    }

    private async Task OwnsAsync(MethodContext context)
    {
        string path = context.Request.GetBodyReader().ReadString();
        var owner = await queries.Admin.OwnsAsync(path, context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => AdminDtoWriter.WriteOwner(ref writer, owner));
    }

    private async Task WhyAsync(MethodContext context)
    {
        string package = context.Request.GetBodyReader().ReadString();
        var why = await queries.Admin.WhyAsync(package, context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => AdminDtoWriter.WriteWhy(ref writer, why));
    }

    private Task ReplyHistory(MethodContext context)
    {
        var history = queries.Admin.History();
        MethodReplies.Reply(context, "aa{sv}", (ref MessageWriter writer) => AdminDtoWriter.WriteHistory(ref writer, history));
        return Task.CompletedTask;
    }

    /// <summary>0 for either generation means its default, as JSON-RPC without it.</summary>
    private Task ReplyDiff(MethodContext context)
    {
        var reader = context.Request.GetBodyReader();
        uint from = reader.ReadUInt32();
        uint to = reader.ReadUInt32();
        if (from > int.MaxValue || to > int.MaxValue)
        {
            throw new TransactionException(TransactionError.NoSuchGeneration, $"no generation {Math.Max(from, to)}");
        }

        var diff = queries.Admin.Diff(from == 0 ? null : (int)from, to == 0 ? null : (int)to);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => AdminDtoWriter.WriteDiff(ref writer, diff));
        return Task.CompletedTask;
    }

    /// <summary>An empty array verifies every image in the store.</summary>
    private async Task VerifyAsync(MethodContext context)
    {
        string[] packages = context.Request.GetBodyReader().ReadArrayOfString();
        var results = await queries.Admin.VerifyAsync(packages, context.RequestAborted);
        MethodReplies.Reply(context, "aa{sv}", (ref MessageWriter writer) => AdminDtoWriter.WriteVerify(ref writer, results));
    }
}
