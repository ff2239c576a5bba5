using Distrid.Transactions;

namespace Distrid.Api.DBus;

/// <summary>Transaction flags, with PackageKit's values so that its clients' habits carry over.</summary>
[Flags]
internal enum TransactionFlags : ulong
{
    None = 0,

    /// <summary>Accepted and implied: every image is verified against the signed index; there is no untrusted mode.</summary>
    OnlyTrusted = 2,

    /// <summary>Plan only; nothing is downloaded or changed.</summary>
    Simulate = 4,

    /// <summary>Download and verify into the store; commit no generation.</summary>
    OnlyDownload = 8,

    /// <summary>Install only (elsewhere refused as unknown): fetch the named images again even when the store has them (PackageKit's ALLOW_REINSTALL).</summary>
    AllowReinstall = 16,

    /// <summary>Update only (elsewhere refused as unknown), distrid's own bit above PackageKit's: commit the update that a
    /// download-only Update prepared (<c>districtl update --apply-downloaded</c>).</summary>
    ApplyDownloaded = 1UL << 32,
}

internal static class TransactionFlagsExtensions
{
    private const TransactionFlags Known = TransactionFlags.OnlyTrusted | TransactionFlags.Simulate | TransactionFlags.OnlyDownload;

    /// <summary>The transaction mode the flags ask for. Unknown bits are refused rather than silently ignored.</summary>
    public static TransactionMode ToMode(ulong flags)
    {
        var value = (TransactionFlags)flags;
        if ((value & ~Known) != 0)
        {
            throw new TransactionException(TransactionError.InvalidRequest, $"unknown transaction flags 0x{flags & ~(ulong)Known:x}");
        }

        return value.HasFlag(TransactionFlags.Simulate) ? TransactionMode.DryRun
            : value.HasFlag(TransactionFlags.OnlyDownload) ? TransactionMode.DownloadOnly
            : TransactionMode.Commit;
    }
}
