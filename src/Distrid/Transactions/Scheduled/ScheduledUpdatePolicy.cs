namespace Distrid.Transactions.Scheduled;

/// <summary>What a scheduled update run (distrid-update.service) may do: the configuration's <c>scheduledUpdate</c>.</summary>
public sealed record ScheduledUpdatePolicy
{
    public const string DownloadOnlyMode = "download-only";
    public const string ApplyMode = "apply";

    /// <summary>The default keeps a timer that an admin merely enabled from changing the system: it downloads and
    /// verifies, and <c>update --apply-downloaded</c> (or <see cref="ApplyMode"/>) commits.</summary>
    public static readonly ScheduledUpdatePolicy Default = new();

    /// <summary>True: apply the prepared update (inside <see cref="Window"/>); false: download and verify only.</summary>
    public bool Apply { get; init; }

    /// <summary>When applying is allowed; null: any time.</summary>
    public MaintenanceWindow? Window { get; init; }

    /// <summary>Generations gc keeps after an applied update; 0: no gc.</summary>
    public int KeepGenerations { get; init; } = Protocol.ProtocolDefaults.GcKeep;

    public string Mode => Apply ? ApplyMode : DownloadOnlyMode;
}
