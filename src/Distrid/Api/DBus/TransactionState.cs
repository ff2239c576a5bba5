namespace Distrid.Api.DBus;

/// <summary>Where a transaction object is in its life; the Status property says it to clients.</summary>
internal enum TransactionState
{
    /// <summary>Created; waits for its creator's Start.</summary>
    Waiting,
    Running,
    Finished,
}
