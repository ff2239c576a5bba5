namespace Distrid.Fuse.Protocol;

/// <summary>Notification codes a server writes with unique = 0 and error = code.</summary>
public enum FuseNotifyCode
{
    Poll = 1,
    InvalidateInode = 2,
    InvalidateEntry = 3,
    Store = 4,
    Retrieve = 5,
    Delete = 6,
    Resend = 7,
}
