using System.CommandLine;
using Distrid.Hosting;

// distrid: the daemon. Parses its options, then hands over to the generic host (DaemonHost) which owns the /ro mount,
// the store and the API front ends until SIGTERM.
var command = DaemonCommandLine.CreateCommand();
command.Description = "distrid: serves /ro and the Distrid API";
command.SetAction(async parse =>
{
    DaemonOptions options;
    try
    {
        options = DaemonCommandLine.Resolve(parse);
    }
    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
    {
        await Console.Error.WriteLineAsync($"distrid: {e.Message}");
        return 2;
    }

    return await DaemonHost.RunAsync(options);
});
return await command.Parse(args).InvokeAsync(// The host handles SIGTERM/SIGINT itself (unmount, exit 0), so the parser must not install its own handler.
    new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
