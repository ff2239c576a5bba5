using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Distrid.Protocol;

/// <summary>What a mutating method did (or, with dryRun, would do).</summary>
public sealed record TransactionResult
{
    public required string Description { get; init; }
    public required bool DryRun { get; init; }
    /// <summary>True for a download-only run: images were fetched and verified, no generation was committed.</summary>
    public bool DownloadOnly { get; init; }
    /// <summary>False when there was nothing to do (e.g. update with everything current).</summary>
    public required bool Changed { get; init; }
    public required int PreviousGeneration { get; init; }
    public required int Generation { get; init; }
    public IReadOnlyList<string> Added { get; init; } = [];
    public IReadOnlyList<string> Removed { get; init; } = [];
    public IReadOnlyList<string> Downloaded { get; init; } = [];
    public long DownloadBytes { get; init; }
    public IReadOnlyList<string> Deleted { get; init; } = [];
}

/// <summary>
/// A <c>$/progress</c> report: the phase (resolve, download, commit) and cumulative download bytes (image bytes, per
/// package and in total; clients derive speeds from these counts over time). The last resolve report of a transaction
/// that changes something carries its <see cref="Plan"/>, before any download starts.
/// </summary>
public sealed record ProgressInfo
{
    [JsonConstructor]
    public ProgressInfo()
    {
    }

    /// <summary>The daemon's shorthand: every field, in wire order.</summary>
    [SetsRequiredMembers]
    public ProgressInfo(string phase, string? package, long packageBytesDone, long packageBytesTotal, long totalBytesDone, long totalBytes)
    {
        Phase = phase;
        Package = package;
        PackageBytesDone = packageBytesDone;
        PackageBytesTotal = packageBytesTotal;
        TotalBytesDone = totalBytesDone;
        TotalBytes = totalBytes;
    }

    public required string Phase { get; init; }
    public string? Package { get; init; }
    public long PackageBytesDone { get; init; }
    public long PackageBytesTotal { get; init; }
    public long TotalBytesDone { get; init; }
    public long TotalBytes { get; init; }

    /// <summary>What the transaction is about to do; set on the resolve report sent just before the download.</summary>
    public TransactionPlan? Plan { get; init; }
}

/// <summary>The changes a transaction will make and what it downloads for them, known before the download starts.</summary>
public sealed record TransactionPlan
{
    public IReadOnlyList<string> Added { get; init; } = [];
    public IReadOnlyList<string> Removed { get; init; } = [];
    public int DownloadCount { get; init; }
    public long DownloadBytes { get; init; }
}

/// <summary>One generation, as <c>generations</c> lists them.</summary>
public sealed record GenerationInfo
{
    public required int Number { get; init; }
    public required bool Current { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string Description { get; init; }
    public IReadOnlyList<string> Packages { get; init; } = [];
    public IReadOnlyDictionary<string, string> Pins { get; init; } = new Dictionary<string, string>();
}

/// <summary>JSON-RPC error codes of failed transactions: 1000 + the reason.</summary>
public static class ErrorCodes
{
    public const int TransactionBase = 1000;
    public const int Busy = 1001;
    public const int NotFound = 1002;
    public const int NotInstalled = 1003;
    public const int Needed = 1004;
    public const int Dependency = 1005;
    public const int Download = 1006;
    public const int InvalidRequest = 1007;
    public const int NoSuchGeneration = 1008;
    public const int Storage = 1009;
    public const int NotAuthorized = 1010;
}
