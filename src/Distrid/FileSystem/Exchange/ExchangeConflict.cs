namespace Distrid.FileSystem.Exchange;

/// <summary>
/// Why a provider won a contested exchange path. Pins and revisions never contest a path: they choose the one active
/// revision of a name before the merge (see <see cref="ExchangeTreeBuilder"/>), so only different names conflict.
/// </summary>
public enum ConflictReason
{
    /// <summary>Different packages: the name that sorts first (bytewise), then the architecture order, won.</summary>
    NameOrder,

    /// <summary>In a view of <c>districtl run --with</c>: the chosen package won.</summary>
    Chosen,
}

/// <summary>A path under an exchange directory that more than one package provides. Never silent: status shows it.</summary>
public sealed record ExchangeConflict(string Path, string Winner, IReadOnlyList<string> Losers, ConflictReason Reason);
