namespace Distrid.Protocol;

/// <summary>What <c>files</c> answers: every path of one package's image.</summary>
public sealed record PackageFiles
{
    public required string FullName { get; init; }

    /// <summary>Where the image's root shows, e.g. <c>/ro/zsh-amd64-5.9-3</c>.</summary>
    public required string Root { get; init; }

    /// <summary>In the current generation (so its exchange-directory entries are live).</summary>
    public required bool Installed { get; init; }

    /// <summary>Depth first, a directory before its content; paths relative to the image root.</summary>
    public IReadOnlyList<PackageFile> Files { get; init; } = [];
}

/// <summary>One path of an image.</summary>
public sealed record PackageFile
{
    /// <summary>Relative to the image root, e.g. <c>bin/zsh</c>.</summary>
    public required string Path { get; init; }

    /// <summary><c>directory</c>, <c>file</c>, <c>symlink</c> or <c>other</c> (devices, fifos, sockets).</summary>
    public required string Kind { get; init; }

    /// <summary>Bytes of a file.</summary>
    public long Size { get; init; }

    /// <summary>A symlink's target.</summary>
    public string? Target { get; init; }

    /// <summary>The exchange-directory path that shows this entry now (e.g. <c>/ro/bin/zsh</c>), when it does.</summary>
    public string? Exchange { get; init; }
}

/// <summary>What <c>owns</c> answers: who provides a path under /ro.</summary>
public sealed record OwnerInfo
{
    /// <summary>The path asked about, absolute under the mountpoint.</summary>
    public required string Path { get; init; }

    /// <summary>The package whose entry the path shows; null for a merged exchange directory (see <see cref="Providers"/>).</summary>
    public string? Owner { get; init; }

    /// <summary>The same entry by its package path, e.g. <c>/ro/less-amd64-530-2/bin/less</c>.</summary>
    public string? PackagePath { get; init; }

    /// <summary>The path is in an exchange directory (<c>/ro/bin</c>, <c>/ro/lib</c>, ...).</summary>
    public bool Exchange { get; init; }

    /// <summary>For a merged directory: every package of the current generation that has it.</summary>
    public IReadOnlyList<string> Providers { get; init; } = [];

    /// <summary>Packages of the current generation that also have this path and lost the conflict for it.</summary>
    public IReadOnlyList<string> Losers { get; init; } = [];

    /// <summary>Why the owner won over <see cref="Losers"/> (<c>name-order</c>); null without a conflict.</summary>
    public string? Reason { get; init; }
}

/// <summary>What <c>why</c> answers: how a package came into the current generation.</summary>
public sealed record WhyResult
{
    public required string FullName { get; init; }

    /// <summary>Installed on request (apt's "manual"), not only as a dependency.</summary>
    public required bool Explicit { get; init; }

    /// <summary>One shortest chain per explicitly installed package that needs it: [explicit, ..., FullName].</summary>
    public IReadOnlyList<IReadOnlyList<string>> Chains { get; init; } = [];
}

/// <summary>One transaction of the journal, as <c>history</c> lists them (oldest first).</summary>
public sealed record HistoryEntry
{
    public required string Transaction { get; init; }

    public required DateTimeOffset Started { get; init; }

    /// <summary>When it committed or was abandoned; null while it runs.</summary>
    public DateTimeOffset? Finished { get; init; }

    public double? DurationSeconds { get; init; }

    /// <summary>What it did, e.g. <c>install zsh</c>.</summary>
    public required string Description { get; init; }

    /// <summary>The caller as the daemon identified it (<c>uid 0 pid 42 (districtl)</c>, a D-Bus name); null in old journals.</summary>
    public string? Caller { get; init; }

    public uint? Uid { get; init; }

    /// <summary>How the request came: <c>socket</c>, <c>dbus</c>, <c>timer</c> or <c>daemon</c>; null in old journals.</summary>
    public string? Via { get; init; }

    /// <summary><c>committed</c>, <c>downloaded</c> (download only: images fetched and verified, no new generation),
    /// <c>failed</c>, <c>running</c> or <c>interrupted</c>.</summary>
    public required string Result { get; init; }

    public string? Error { get; init; }

    /// <summary>The generation current before it (null in old journals or when it failed before planning).</summary>
    public int? PreviousGeneration { get; init; }

    /// <summary>The generation it made current.</summary>
    public int? Generation { get; init; }
}

/// <summary>What <c>diff</c> answers: how two generations differ.</summary>
public sealed record GenerationDiff
{
    public required int From { get; init; }

    public required int To { get; init; }

    public IReadOnlyList<string> Added { get; init; } = [];

    public IReadOnlyList<string> Removed { get; init; } = [];

    public IReadOnlyList<PackageChange> Upgraded { get; init; } = [];

    public IReadOnlyList<PackageChange> Downgraded { get; init; } = [];
}

/// <summary>One name-arch at another revision.</summary>
public sealed record PackageChange
{
    /// <summary><c>name-arch</c>.</summary>
    public required string Name { get; init; }

    public required string From { get; init; }

    public required string To { get; init; }
}

/// <summary>What <c>verify</c> found for one store image.</summary>
public sealed record VerifyInfo
{
    public required string FullName { get; init; }

    public required bool Ok { get; init; }

    public bool Installed { get; init; }

    /// <summary>What is wrong, in one line; null when it is sound.</summary>
    public string? Problem { get; init; }

    /// <summary>The command that repairs it; null when it is sound.</summary>
    public string? Fix { get; init; }
}
