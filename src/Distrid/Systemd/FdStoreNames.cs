namespace Distrid.Systemd;

/// <summary>
/// The FDNAME= values distrid uses with systemd's fd store and socket units (they come back in LISTEN_FDNAMES).
/// </summary>
public static class FdStoreNames
{
    /// <summary>The /dev/fuse descriptor of the mounted /ro connection.</summary>
    public const string Fuse = "fuse";

    /// <summary>The memfd with what a successor needs to serve that connection (see Handover/HandoverState).</summary>
    public const string FuseState = "fuse-state";

    /// <summary>
    /// Names accepted for the API socket from a socket unit: <c>distrid.socket</c> is what systemd passes when the
    /// unit sets no FileDescriptorName=; <c>cli</c> is the short name (FileDescriptorName=cli,
    /// <c>systemd-socket-activate --fdname=cli</c>).
    /// </summary>
    public static readonly IReadOnlyList<string> ApiSocket = ["distrid.socket", "cli"];
}
