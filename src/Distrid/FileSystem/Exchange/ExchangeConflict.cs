namespace Distrid.FileSystem.Exchange;

/// <summary>Why a provider won a contested exchange path (DESIGN.md's deterministic rule, in order).</summary>
public enum ConflictReason
{
    /// <summary>The winner is the pinned full name of its package.</summary>
    Pin,
    /// <summary>The contenders are revisions of one package; the highest revision won.</summary>
    Revision,
    /// <summary>Different packages: the name that sorts first (bytewise) won.</summary>
    NameOrder,
}

/// <summary>A path under an exchange directory that more than one package provides. Never silent: status shows it.</summary>
public sealed record ExchangeConflict(string Path, string Winner, IReadOnlyList<string> Losers, ConflictReason Reason);
