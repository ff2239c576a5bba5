using Distrid.Fuse.Session;

namespace Distrid.FileSystem;

/// <summary>What the API may know of the /ro mount, without depending on the hosting that owns it.</summary>
internal interface IMountStatus
{
    string Mountpoint { get; }

    bool IsMounted { get; }

    /// <summary>The FUSE session's request counters, or null before the mount.</summary>
    FuseRequestCounters? Statistics { get; }
}
