namespace Distrid.Protocol;

/// <summary>Defaults both front ends and the client share, so a caller that leaves a value out gets the same everywhere.</summary>
public static class ProtocolDefaults
{
    /// <summary>How many generations `gc` keeps when the caller does not say (D-Bus Gc has no such argument).</summary>
    public const int GcKeep = 3;
}
