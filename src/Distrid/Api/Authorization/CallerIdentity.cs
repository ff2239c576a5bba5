namespace Distrid.Api.Authorization;

/// <summary>
/// Who asks for something, as the front end learned it from the kernel or the bus (never from the request):
/// a D-Bus caller by its unique bus name, a socket caller (or a caller on a non-system bus) as a unix process.
/// </summary>
internal sealed record CallerIdentity
{
    public required uint Uid { get; init; }

    /// <summary>The unique name (":1.42") on the system bus: polkit's <c>system-bus-name</c> subject.</summary>
    public string? BusName { get; init; }

    /// <summary>Polkit's <c>unix-process</c> subject, used when <see cref="BusName"/> is null.</summary>
    public UnixProcess? Process { get; init; }

    /// <summary>The caller said it can show an authentication dialog (D-Bus ALLOW_INTERACTIVE_AUTHORIZATION).
    /// Never true for the socket: its clients have no way to answer polkit's agent.</summary>
    public bool AllowInteraction { get; init; }

    public bool IsRoot => Uid == 0;

    public static CallerIdentity ForProcess(UnixProcess process) => new() { Uid = process.Uid, Process = process };

    public static CallerIdentity ForBusName(string uniqueName, uint uid, bool allowInteraction) =>
        new() { Uid = uid, BusName = uniqueName, AllowInteraction = allowInteraction };

    public override string ToString() => BusName is not null ? $"{BusName} (uid {Uid})" : Process?.ToString() ?? $"uid {Uid}";
}
