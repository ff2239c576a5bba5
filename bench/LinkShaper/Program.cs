using System.Globalization;
using System.Runtime.InteropServices;
using LinkShaper;

// usage: LinkShaper --target PORT [--listen PORT] [--rate 100mbit] [--rtt 40ms] [--ready-file PATH] [--lookahead 50ms]
// Prints "ready 127.0.0.1:PORT" on stdout (and writes PORT to the ready file) once it accepts connections;
// SIGTERM or SIGINT stops it and prints the bytes moved each way.
int? target = null;
int listen = 0;
long rate = 0;
TimeSpan rtt = TimeSpan.Zero;
TimeSpan? lookahead = null;
string? readyFile = null;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--target": target = ParsePort(Value()); break;
            case "--listen": listen = ParsePort(Value()); break;
            case "--rate": rate = LinkProfile.ParseRate(Value()); break;
            case "--rtt": rtt = LinkProfile.ParseDuration(Value()); break;
            case "--ready-file": readyFile = Value(); break;
            case "--lookahead": lookahead = LinkProfile.ParseDuration(Value()); break;
            default: throw new FormatException($"unknown option {args[i]}");
        }
    }
    if (target is null)
    {
        throw new FormatException("--target PORT is required");
    }
}
catch (FormatException e)
{
    Console.Error.WriteLine($"link-shaper: {e.Message}");
    Console.Error.WriteLine("usage: LinkShaper --target PORT [--listen PORT] [--rate 100mbit|1gbit|0] [--rtt 40ms] [--ready-file PATH] [--lookahead 50ms]");
    return 2;
}

using CancellationTokenSource stop = new();
using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
ShapedLink? shaped = null;
// SIGUSR1 prints how busy the link was since the last SIGUSR1 (the bench takes one reading per install).
using PosixSignalRegistration usage = PosixSignalRegistration.Create((PosixSignal)10, context =>
{
    context.Cancel = true;
    Console.WriteLine($"usage {shaped?.TakeUsage()}");
});
await using ShapedLink link = ShapedLink.Start(
    lookahead is null ? new LinkProfile(rate, rtt) : new LinkProfile(rate, rtt) { Lookahead = lookahead.Value }, target.Value, listen);
shaped = link;
if (readyFile is not null)
{
    string temporary = readyFile + ".tmp";
    await File.WriteAllTextAsync(temporary, link.Port.ToString(CultureInfo.InvariantCulture) + "\n");
    File.Move(temporary, readyFile, overwrite: true);
}
Console.WriteLine($"ready 127.0.0.1:{link.Port} -> 127.0.0.1:{target} rate {(rate == 0 ? "unlimited" : rate + " bit/s")} rtt {rtt.TotalMilliseconds} ms");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
Console.WriteLine($"stopped: {link.Connections} connections, {link.BytesUp} bytes up, {link.BytesDown} bytes down");
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

static int ParsePort(string text) =>
    int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
        ? port
        : throw new FormatException($"not a port: '{text}'");
