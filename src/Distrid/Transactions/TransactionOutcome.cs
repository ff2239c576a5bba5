namespace Distrid.Transactions;

/// <summary>What a transaction did (or, for a dry run, would do).</summary>
public sealed record TransactionOutcome
{
    public required string Description { get; init; }
    public required bool DryRun { get; init; }
    /// <summary>True for <see cref="TransactionMode.DownloadOnly"/>: images were fetched, no generation was committed.</summary>
    public bool DownloadOnly { get; init; }
    /// <summary>False when there was nothing to do (e.g. update with everything current).</summary>
    public required bool Changed { get; init; }
    public required int PreviousGeneration { get; init; }
    /// <summary>The generation that is current afterwards (for a dry run, the one that would be).</summary>
    public required int Generation { get; init; }
    public IReadOnlyList<string> Added { get; init; } = [];
    public IReadOnlyList<string> Removed { get; init; } = [];
    /// <summary>Images fetched from a mirror (or, for a dry run, that would be).</summary>
    public IReadOnlyList<string> Downloaded { get; init; } = [];
    public long DownloadBytes { get; init; }
    /// <summary>Images deleted from the store (gc).</summary>
    public IReadOnlyList<string> Deleted { get; init; } = [];
}
