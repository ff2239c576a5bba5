namespace Distrid.Transactions;

/// <summary>Why a transaction was refused or failed. Front ends map these to JSON-RPC and D-Bus error codes.</summary>
public enum TransactionError
{
    /// <summary>Another mutating transaction is running.</summary>
    Busy = 1,
    /// <summary>No repository or store image has such a package.</summary>
    NotFound = 2,
    /// <summary>The package is not installed (remove, pin).</summary>
    NotInstalled = 3,
    /// <summary>Removing it would break a package that stays.</summary>
    Needed = 4,
    /// <summary>A dependency cannot be satisfied.</summary>
    Dependency = 5,
    /// <summary>Fetching the index or an image failed (mirror down, bad signature, hash mismatch...).</summary>
    Download = 6,
    /// <summary>The request itself is malformed.</summary>
    InvalidRequest = 7,
    /// <summary>Rollback to a generation that does not exist.</summary>
    NoSuchGeneration = 8,
    /// <summary>The disk is full or the store cannot be written.</summary>
    Storage = 9,
    /// <summary>The caller may not do this (polkit said no).</summary>
    NotAuthorized = 10,
}

/// <summary>A transaction that did not happen; <see cref="Exception.Message"/> is one line for people.</summary>
public sealed class TransactionException(TransactionError error, string message, Exception? inner = null) : Exception(message, inner)
{
    public TransactionError Error { get; } = error;
}
