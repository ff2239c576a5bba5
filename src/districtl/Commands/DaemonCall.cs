using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary>
/// The action of a verb that is one call to the daemon whose answer it shows: with <c>--json</c> as one JSON document
/// (the scripts' contract), otherwise printed for people. Exit status 0; errors are the daemon's or the connection's.
/// The answer's JSON metadata is picked only when the verb runs: building it for every verb would cost each start of
/// the client (a short-lived process) the reflection over every protocol type.
/// </summary>
internal static class DaemonCall
{
    public static void SetDaemonCall<T>(
        this Command command, Func<IDistridApi, ParseResult, CancellationToken, Task<T>> call, Func<ProtocolJsonContext, JsonTypeInfo<T>> json, Action<T> print) =>
        command.SetDaemonCall(call, json, (answer, _) => print(answer));

    /// <summary>The same, for an answer whose printed form depends on the command line too.</summary>
    public static void SetDaemonCall<T>(
        this Command command, Func<IDistridApi, ParseResult, CancellationToken, Task<T>> call, Func<ProtocolJsonContext, JsonTypeInfo<T>> json, Action<T, ParseResult> print)
    {
        command.SetAction(async (parse, ct) =>
        {
            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var answer = await call(daemon.Api, parse, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(answer, json(ProtocolJsonContext.Default));
            }
            else
            {
                print(answer, parse);
            }

            return 0;
        });
    }
}
