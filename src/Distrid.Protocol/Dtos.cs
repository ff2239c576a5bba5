namespace Distrid.Protocol;

/// <summary>What <c>status</c> answers.</summary>
public sealed record StatusResult
{
    public required string Version { get; init; }
    public required string Mountpoint { get; init; }
    public required bool Mounted { get; init; }
    public required string Store { get; init; }
    public required int PackageCount { get; init; }
    public required long StoreBytes { get; init; }
    public required int Generation { get; init; }
    /// <summary>The running transaction's description, or null when idle.</summary>
    public string? Transaction { get; init; }
    /// <summary>Who started the running transaction (e.g. <c>uid 1000 pid 4242</c>, or a D-Bus unique name), or null when idle.</summary>
    public string? TransactionStartedBy { get; init; }
    /// <summary>The running transaction was started detached: it runs on when its caller goes away.</summary>
    public bool TransactionDetached { get; init; }
    public IReadOnlyList<ConflictInfo> Conflicts { get; init; } = [];
    public IReadOnlyList<BrokenImageInfo> BrokenImages { get; init; } = [];
    public FuseStatistics? Fuse { get; init; }
}

/// <summary>One exchange-directory path that more than one package provides, and who won.</summary>
public sealed record ConflictInfo
{
    /// <summary>The path under /ro, e.g. <c>bin/less</c>.</summary>
    public required string Path { get; init; }
    public required string Winner { get; init; }
    public required IReadOnlyList<string> Losers { get; init; }
    /// <summary>Why the winner won: <c>name-order</c> (pins and revisions select a name's revision before any merge).</summary>
    public required string Reason { get; init; }
}

/// <summary>An image in the store that cannot be read (corrupt, truncated); it is left out of the exchange dirs.</summary>
public sealed record BrokenImageInfo
{
    public required string FullName { get; init; }
    public required string Error { get; init; }
}

/// <summary>Counters of the FUSE session, for diagnosis and benchmarks.</summary>
public sealed record FuseStatistics
{
    public required long Requests { get; init; }
    public IReadOnlyDictionary<string, long> ByOpcode { get; init; } = new Dictionary<string, long>();

    /// <summary>Requests served through FUSE-over-io_uring entries (0 when the connection uses /dev/fuse reads).</summary>
    public long RingRequests { get; init; }
}

/// <summary>One package, as <c>list</c>, <c>search</c> and <c>info</c> show it.</summary>
public sealed record PackageInfo
{
    public required string FullName { get; init; }
    public required string Name { get; init; }
    public required string Arch { get; init; }
    public required string Version { get; init; }
    public required int Revision { get; init; }
    public string Summary { get; init; } = "";
    public long Size { get; init; }
    public IReadOnlyList<string> Dependencies { get; init; } = [];
    /// <summary>In the current generation.</summary>
    public bool Installed { get; init; }
    /// <summary>Its image is in the store (installed now or kept for rollback).</summary>
    public bool InStore { get; init; }

    /// <summary>Installed on request, not only as a dependency (apt's manual mark); false when not installed.</summary>
    public bool Explicit { get; init; }
}
