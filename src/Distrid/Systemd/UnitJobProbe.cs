using Tmds.DBus.Protocol;

namespace Distrid.Systemd;

/// <summary>What systemd has queued for the unit that runs this process, as seen at the moment of asking.</summary>
public enum PendingUnitJob
{
    /// <summary>No job: a bare SIGTERM (systemctl kill) or a stop that already finished.</summary>
    None,

    /// <summary>A stop with nothing after it (systemctl stop, shutdown, removal of the package).</summary>
    Stop,

    /// <summary>A start will follow the stop: systemctl restart / try-restart, or a start queued while stopping.
    /// systemd keeps the fd store while such a job is pending.</summary>
    Start,

    /// <summary>systemd could not be asked (no bus, not a systemd service, a timeout).</summary>
    Unknown,
}

/// <summary>
/// Asks systemd (org.freedesktop.systemd1 on the system bus) which job is pending on the unit this process runs in:
/// GetUnitByPID(own pid), then the unit's Job property and the job's JobType. During `systemctl restart` the unit
/// carries a "restart" job while SIGTERM is delivered; during `systemctl stop` a "stop" job; a start requested while
/// the stop runs replaces the stop job with a "start" job. (Verified under systemd 252 in packaging/check-nspawn.sh.)
/// </summary>
public sealed class UnitJobProbe(string busAddress)
{
    private const string Systemd1 = "org.freedesktop.systemd1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Never throws: a failure to ask is <see cref="PendingUnitJob.Unknown"/> with the reason.</summary>
    public async Task<(PendingUnitJob Job, string Detail)> GetAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var connection = new DBusConnection(busAddress);
            await connection.ConnectAsync().AsTask().WaitAsync(timeout.Token);
            string unit = await CallAsync(connection, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "GetUnitByPID", "u",
                (ref MessageWriter w) => w.WriteUInt32((uint)Environment.ProcessId), static (m, _) => m.GetBodyReader().ReadObjectPathAsString(), timeout.Token);
            var (id, job) = await GetPropertyAsync(connection, unit, "org.freedesktop.systemd1.Unit", "Job", ReadJob, timeout.Token);
            if (id == 0)
            {
                return (PendingUnitJob.None, "no job");
            }

            string type = await GetPropertyAsync(connection, job, "org.freedesktop.systemd1.Job", "JobType", ReadString, timeout.Token);
            return (Classify(type), type);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (PendingUnitJob.Unknown, e is OperationCanceledException ? "no answer within 5 s" : e.Message);
        }
    }

    /// <summary>JobType values (systemd's job_type_to_string) after which the unit runs again.</summary>
    public static PendingUnitJob Classify(string jobType) => jobType switch
    {
        "stop" => PendingUnitJob.Stop,
        "start" or "restart" or "try-restart" or "reload-or-start" or "verify-active" => PendingUnitJob.Start,
        _ => PendingUnitJob.None,
    };

    private delegate void BodyWriter(ref MessageWriter writer);

    private static Task<T> CallAsync<T>(
        DBusConnection connection, string path, string iface, string member, string signature, BodyWriter body,
        MessageValueReader<T> read, CancellationToken cancellationToken)
    {
        var writer = connection.GetMessageWriter();
        MessageBuffer message;
        try
        {
            writer.WriteMethodCallHeader(Systemd1, path, iface, member, signature);
            body(ref writer);
            message = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }

        return connection.CallMethodAsync(message, read).WaitAsync(cancellationToken);
    }

    private static Task<T> GetPropertyAsync<T>(
        DBusConnection connection, string path, string iface, string name, MessageValueReader<T> read, CancellationToken cancellationToken) =>
        CallAsync(connection, path, "org.freedesktop.DBus.Properties", "Get", "ss", (ref MessageWriter w) =>
        {
            w.WriteString(iface);
            w.WriteString(name);
        }, read, cancellationToken);

    private static (uint Id, string Path) ReadJob(Message message, object? state)
    {
        var reader = message.GetBodyReader();
        string signature = reader.ReadSignatureAsString();
        if (signature != "(uo)")
        {
            throw new InvalidDataException($"Unit.Job has signature {signature}, not (uo)");
        }

        reader.AlignStruct();
        return (reader.ReadUInt32(), reader.ReadObjectPathAsString());
    }

    private static string ReadString(Message message, object? state)
    {
        var reader = message.GetBodyReader();
        string signature = reader.ReadSignatureAsString();
        return signature == "s" ? reader.ReadString() : throw new InvalidDataException($"JobType has signature {signature}, not s");
    }
}
