namespace Distrid.Api.Authorization;

/// <summary>The polkit action ids of polkit/org.distrid.distrid1.policy, one per kind of change.</summary>
internal static class PolkitActions
{
    public const string Prefix = "org.distrid.distrid1.";
    public const string Install = Prefix + "install";
    public const string Remove = Prefix + "remove";
    public const string Update = Prefix + "update";
    public const string Rollback = Prefix + "rollback";
    public const string Gc = Prefix + "gc";
    public const string RepoConfigure = Prefix + "repo-configure";
    public const string TrustKey = Prefix + "trust-key";
    public const string CancelForeign = Prefix + "cancel-foreign";
}
