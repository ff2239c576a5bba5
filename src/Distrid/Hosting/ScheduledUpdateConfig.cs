using Distrid.Transactions.Scheduled;

namespace Distrid.Hosting;

/// <summary>
/// The config file's <c>"scheduledUpdate"</c> object, read by distrid-update.service's runs:
/// <c>{"mode": "download-only" | "apply", "window": "03:00-05:00", "keepGenerations": 3}</c>, every field optional.
/// </summary>
internal sealed record ScheduledUpdateConfig
{
    public string? Mode { get; init; }
    public string? Window { get; init; }
    public int? KeepGenerations { get; init; }

    /// <exception cref="InvalidDataException">a value is out of its range, with the one line that says which.</exception>
    public ScheduledUpdatePolicy ToPolicy(ScheduledUpdatePolicy defaults)
    {
        bool apply = Mode switch
        {
            null => defaults.Apply,
            ScheduledUpdatePolicy.ApplyMode => true,
            ScheduledUpdatePolicy.DownloadOnlyMode => false,
            _ => throw new InvalidDataException($"config: scheduledUpdate.mode must be \"{ScheduledUpdatePolicy.DownloadOnlyMode}\" or \"{ScheduledUpdatePolicy.ApplyMode}\""),
        };
        if (KeepGenerations is < 0 or > 10_000)
        {
            throw new InvalidDataException("config: scheduledUpdate.keepGenerations must be between 0 (no gc) and 10000");
        }

        MaintenanceWindow? window;
        try
        {
            window = string.IsNullOrEmpty(Window) ? defaults.Window : MaintenanceWindow.Parse(Window);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"config: scheduledUpdate.window: {e.Message}", e);
        }

        return new ScheduledUpdatePolicy { Apply = apply, Window = window, KeepGenerations = KeepGenerations ?? defaults.KeepGenerations };
    }
}
