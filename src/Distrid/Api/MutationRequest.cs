using Distrid.Transactions;
using Distrid.Transactions.Operations;

namespace Distrid.Api;

/// <summary>
/// A validated request for a change, as both front ends hand it to <see cref="MutationRunner"/>: its role
/// ("install"), the polkit action that guards it, how far it goes, and how to build the operation. The operation
/// is built only after authorization, because building it may read files the caller named.
/// </summary>
internal sealed record MutationRequest(string Role, string ActionId, TransactionMode Mode, Func<TransactionOperation> CreateOperation);
