using Distrid.Transactions;
using Distrid.Transactions.Operations;

namespace Distrid.Api;

/// <summary>
/// A validated request for a change, as both front ends hand it to <see cref="MutationRunner"/>: its role
/// ("install"), the polkit action that guards it, how far it goes, and how to build the operation. The operation
/// is built only after authorization, because building it may read files the caller named.
/// </summary>
internal sealed record MutationRequest(string Role, string ActionId, TransactionMode Mode, Func<TransactionOperation> CreateOperation)
{
    /// <summary>
    /// Run on when the caller goes away (a closed socket, a name that left the bus). Without it the caller's
    /// departure cancels the transaction like a Ctrl-C, so that nobody's forgotten install holds the daemon.
    /// </summary>
    public bool Detached { get; init; }

    /// <summary>
    /// A dry run or a download-only run goes without asking polkit (PackageKit's rule for SIMULATE and ONLY_DOWNLOAD,
    /// so software centers can show a plan and fetch updates in the background). A commit is always authorized.
    /// </summary>
    public bool PreparationUnchecked { get; init; }
}
