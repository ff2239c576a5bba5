namespace Distrid.Protocol;

/// <summary>What <c>run</c> answers: a view of the exchange directories with chosen packages first.</summary>
public sealed record RunView
{
    /// <summary>The view's number, unique for the daemon's life.</summary>
    public required string Id { get; init; }

    /// <summary>Where the view's exchange directories are, e.g. <c>/ro/.view/3</c> (<c>/ro/.view/3/bin</c>, ...).</summary>
    public required string Path { get; init; }

    /// <summary>The daemon's mountpoint, e.g. <c>/ro</c>: the view's directories go over <c>/ro/bin</c>, ....</summary>
    public required string Mountpoint { get; init; }

    /// <summary>The exchange directories the view has (<c>bin</c>, <c>lib</c>, ...).</summary>
    public IReadOnlyList<string> Directories { get; init; } = [];

    /// <summary>The chosen packages' full names, which win in the view.</summary>
    public IReadOnlyList<string> Chosen { get; init; } = [];

    /// <summary>Packages of the current generation that the view leaves out (other revisions of a chosen name, and
    /// the packages a <c>NAME=FULLNAME</c> replaces).</summary>
    public IReadOnlyList<string> Replaced { get; init; } = [];

    /// <summary>Contested paths of the view and who won them (a chosen package wins by <c>chosen</c>).</summary>
    public IReadOnlyList<ConflictInfo> Conflicts { get; init; } = [];
}
