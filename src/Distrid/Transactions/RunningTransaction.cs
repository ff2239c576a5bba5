namespace Distrid.Transactions;

/// <summary>
/// The transaction in progress as <c>status</c> shows it: what it does, who started it (the caller as the front end
/// identified it, e.g. "uid 1000 pid 4242"), and whether it was started detached, so that it runs on when that caller
/// goes away (otherwise losing the caller cancels it).
/// </summary>
internal sealed record RunningTransaction(string Description, string StartedBy, bool Detached, DateTimeOffset Started);
