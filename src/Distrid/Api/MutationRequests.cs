using Distrid.Api.Authorization;
using Distrid.Transactions;
using Distrid.Transactions.Operations;

namespace Distrid.Api;

/// <summary>
/// Turns a front end's decoded arguments into a <see cref="MutationRequest"/>: checks what can be checked without
/// the store, and names the polkit action. Both front ends call these; nothing here knows a wire format.
/// </summary>
internal static class MutationRequests
{
    /// <summary><paramref name="reinstall"/>: fetch the named packages' images again even when the store has them.</summary>
    public static MutationRequest Install(IReadOnlyList<string> packages, CallerIdentity caller, TransactionMode mode, bool reinstall = false)
    {
        if (packages.Count == 0)
        {
            throw new TransactionException(TransactionError.InvalidRequest, "install needs at least one package");
        }

        // The daemon runs as root: opening a path on a user's behalf would let anyone read (and publish under /ro)
        // any file root can read, so only root may name image files. Others install by name from a signed mirror.
        var paths = packages.Where(LocalImages.IsImagePath).ToList();
        if (paths.Count > 0 && !caller.IsRoot)
        {
            throw new TransactionException(TransactionError.NotAuthorized,
                $"not authorized: only root may install local image files ({paths[0]}); install by package name instead");
        }

        if (reinstall && paths.Count > 0)
        {
            throw new TransactionException(TransactionError.InvalidRequest, $"--reinstall fetches from the repositories; install the image file {paths[0]} without it");
        }

        return new MutationRequest("install", PolkitActions.Install, mode,
            () => new InstallOperation(packages, [.. paths.Select(LocalImages.Load)]) { Reinstall = reinstall });
    }

    public static MutationRequest Remove(IReadOnlyList<string> packages, TransactionMode mode) => packages.Count == 0
        ? throw new TransactionException(TransactionError.InvalidRequest, "remove needs at least one package")
        : new MutationRequest("remove", PolkitActions.Remove, mode, () => new RemoveOperation(packages));

    /// <summary><paramref name="applyDownloaded"/>: commit the update a download-only update prepared, nothing else.</summary>
    public static MutationRequest Update(TransactionMode mode, bool applyDownloaded = false) => applyDownloaded
        ? mode == TransactionMode.DownloadOnly
            ? throw new TransactionException(TransactionError.InvalidRequest, "download-only and apply-downloaded exclude each other: prepare first, then apply")
            : new("update", PolkitActions.Update, mode, () => new ApplyPreparedOperation())
        : new("update", PolkitActions.Update, mode, () => new UpdateOperation());

    /// <summary><paramref name="generation"/> null: the newest generation older than the current one.</summary>
    public static MutationRequest Rollback(int? generation, TransactionMode mode) =>
        new("rollback", PolkitActions.Rollback, mode, () => new RollbackOperation(generation));

    public static MutationRequest Gc(int keep, TransactionMode mode) => keep < 1
        ? throw new TransactionException(TransactionError.InvalidRequest, "gc keeps at least one generation")
        : new MutationRequest("gc", PolkitActions.Gc, mode, () => new GcOperation(keep));

    /// <summary>Pinning decides which revision /ro/bin shows, like installing it, so it needs the install action.</summary>
    public static MutationRequest Pin(string name, string? fullName, TransactionMode mode) =>
        new(fullName is null ? "unpin" : "pin", PolkitActions.Install, mode, () => new PinOperation(name, fullName));
}
