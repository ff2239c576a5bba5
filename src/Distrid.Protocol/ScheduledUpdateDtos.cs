namespace Distrid.Protocol;

/// <summary>What one scheduled update run (<c>scheduledUpdate</c>, the timer's <c>districtl update --scheduled</c>) did.</summary>
public sealed record ScheduledUpdateResult
{
    public const string UpToDate = "up-to-date";
    public const string Downloaded = "downloaded";
    public const string OutsideWindow = "outside-window";
    public const string Applied = "applied";

    /// <summary>The policy's mode: <c>download-only</c> or <c>apply</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>The maintenance window (<c>03:00-05:00</c>), or null for any time.</summary>
    public string? Window { get; init; }

    /// <summary><c>up-to-date</c>, <c>downloaded</c> (prepared, mode download-only), <c>outside-window</c> (prepared, not
    /// applied now) or <c>applied</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>One line for people and the journal.</summary>
    public required string Message { get; init; }

    /// <summary>The download-only update that prepared it.</summary>
    public required TransactionResult Download { get; init; }

    /// <summary>The commit of the prepared update, when applied.</summary>
    public TransactionResult? Apply { get; init; }

    /// <summary>The gc after the apply, when the policy keeps a number of generations.</summary>
    public TransactionResult? Gc { get; init; }

    /// <summary>Why that gc failed (the update itself was applied).</summary>
    public string? GcError { get; init; }
}
