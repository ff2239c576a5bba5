using Distrid.Transactions;
using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>
/// The Manager's repository methods (RepoList, RepoAdd, RepoRemove, RepoEnable, RepoDisable). Unlike installs they are
/// not transaction objects: a repository change is quick and has no progress, so the call itself is authorized
/// (polkit, interactively when the message allows it) and answers with the repository's new state.
/// </summary>
internal sealed partial class ManagerObject
{
    private Task ReplyRepoList(MethodContext context)
    {
        var list = repositories.List();
        MethodReplies.Reply(context, "aa{sv}", (ref MessageWriter writer) => RepositoryDtoWriter.WriteRepositories(ref writer, list));
        return Task.CompletedTask;
    }

    /// <summary>An empty key means none (the index must be signed by a key already trusted); then the fingerprint is ignored.</summary>
    private async Task RepoAddAsync(MethodContext context)
    {
        var reader = context.Request.GetBodyReader();
        string url = reader.ReadString();
        string key = reader.ReadString();
        string fingerprint = reader.ReadString();
        var caller = await CallerOfAsync(context);
        var added = await repositories.AddAsync(caller, url, key.Length == 0 ? null : key, fingerprint.Length == 0 ? null : fingerprint, context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => RepositoryDtoWriter.WriteRepository(ref writer, added));
    }

    private async Task RepoRemoveAsync(MethodContext context)
    {
        string url = context.Request.GetBodyReader().ReadString();
        var removed = await repositories.RemoveAsync(await CallerOfAsync(context), url, context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => RepositoryDtoWriter.WriteRepository(ref writer, removed));
    }

    private async Task RepoSetEnabledAsync(MethodContext context, bool enable)
    {
        string url = context.Request.GetBodyReader().ReadString();
        var changed = await repositories.SetEnabledAsync(await CallerOfAsync(context), url, enable, context.RequestAborted);
        MethodReplies.Reply(context, "a{sv}", (ref MessageWriter writer) => RepositoryDtoWriter.WriteRepository(ref writer, changed));
    }

    /// <summary>The caller as the bus knows it; the message's ALLOW_INTERACTIVE_AUTHORIZATION lets polkit ask for a password.</summary>
    private async Task<Authorization.CallerIdentity> CallerOfAsync(MethodContext context)
    {
        string sender = context.Request.SenderAsString ?? throw new TransactionException(TransactionError.InvalidRequest, "a call without a sender");
        bool interactive = (context.Request.MessageFlags & MessageFlags.AllowInteractiveAuthorization) != 0;
        return await transactions.Callers.ResolveAsync(sender, interactive);
    }
}
