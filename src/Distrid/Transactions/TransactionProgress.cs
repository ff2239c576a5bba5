namespace Distrid.Transactions;

/// <summary>Where a transaction is: its phase and, while downloading, bytes per package and in total.</summary>
public sealed record TransactionProgress(string Phase, string? Package, long PackageBytesDone, long PackageBytesTotal, long TotalBytesDone, long TotalBytes);
