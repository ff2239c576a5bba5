namespace Distrid.Transactions;

/// <summary>How far a transaction goes once planned.</summary>
public enum TransactionMode
{
    /// <summary>Download, verify and commit a new generation (the normal case).</summary>
    Commit,

    /// <summary>Plan only: report what would happen; nothing is downloaded or changed.</summary>
    DryRun,

    /// <summary>Download and verify what the plan needs into the store, but commit no generation. The images stay
    /// in the store until a later transaction uses them (then nothing is downloaded) or gc deletes them.</summary>
    DownloadOnly,
}
