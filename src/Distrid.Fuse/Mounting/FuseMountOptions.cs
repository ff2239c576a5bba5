namespace Distrid.Fuse.Mounting;

/// <summary>How <see cref="FuseMount.Mount"/> mounts a file system.</summary>
public sealed record FuseMountOptions
{
    /// <summary>The subtype: the mount shows as file system type "fuse.&lt;name&gt;".</summary>
    public string FileSystemName { get; init; } = "distrid";

    /// <summary>The source column of the mount table (what df and mount show).</summary>
    public string Source { get; init; } = "distrid";

    /// <summary>Let users other than the mounting one see the files (needs user_allow_other for non-root).</summary>
    public bool AllowOther { get; init; } = true;

    /// <summary>Let the kernel check permissions from the mode bits (no ACCESS requests).</summary>
    public bool DefaultPermissions { get; init; } = true;

    /// <summary>Mount read-only (MS_RDONLY): the VFS then rejects writes before they reach the server.</summary>
    public bool ReadOnly { get; init; } = true;

    /// <summary>
    /// Mount through fusermount3 even as root (normally used only when not root). Null = automatic.
    /// </summary>
    public bool? UseFusermount { get; init; }
}
