namespace Distri.Core.SquashFs.Unpacking;

/// <summary>What <see cref="ImageUnpacker"/> restores besides types, contents, modes and times.</summary>
public sealed record UnpackOptions
{
    /// <summary>Restore uid/gid; null means "when running as root" (as unsquashfs does).</summary>
    public bool? RestoreOwners { get; init; }

    /// <summary>Restore extended attributes (ones the process may not set become warnings).</summary>
    public bool RestoreXattrs { get; init; } = true;
}
