using System.Text.Json;
using Distrid.Protocol;
using Distrid.Tests.Support;

namespace Distrid.Tests.JsonRpc;

/// <summary>
/// Every malformed request on the socket gets JSON-RPC 2.0's error (code, one-line message, the right id), never a
/// dropped connection or an exception's text, and the connection stays usable afterwards.
/// </summary>
public sealed class MalformedRequestTests(SocketDaemonFixture fixture) : IClassFixture<SocketDaemonFixture>
{
    private const string Status = """{"jsonrpc":"2.0","id":99,"method":"status"}""";

    public static TheoryData<string, string, int, long?> Cases => new()
    {
        { "not JSON", "this is not json", RpcErrorCodes.ParseError, null },
        { "a batch array", """[{"jsonrpc":"2.0","id":1,"method":"status"}]""", RpcErrorCodes.InvalidRequest, null },
        { "a numeric method", """{"jsonrpc":"2.0","id":2,"method":42}""", RpcErrorCodes.InvalidRequest, 2 },
        { "an object id", """{"jsonrpc":"2.0","id":{"n":3},"method":"status"}""", RpcErrorCodes.InvalidRequest, null },
        { "string params", """{"jsonrpc":"2.0","id":4,"method":"search","params":"zsh"}""", RpcErrorCodes.InvalidRequest, 4 },
        { "number params", """{"jsonrpc":"2.0","id":5,"method":"search","params":5}""", RpcErrorCodes.InvalidRequest, 5 },
        { "JSON nested 100,000 deep", new string('[', 100_000) + new string(']', 100_000), RpcErrorCodes.ParseError, null },
        { "a JSON string, not an object", "\"status\"", RpcErrorCodes.InvalidRequest, null },
        { "no jsonrpc version", """{"id":6,"method":"status"}""", RpcErrorCodes.InvalidRequest, 6 },
        { "an unknown method", """{"jsonrpc":"2.0","id":7,"method":"format-disk"}""", RpcErrorCodes.MethodNotFound, 7 },
        { "null packages", """{"jsonrpc":"2.0","id":8,"method":"install","params":{"packages":null}}""", RpcErrorCodes.InvalidParams, 8 },
        { "a null package name", """{"jsonrpc":"2.0","id":9,"method":"install","params":{"packages":[null]}}""", RpcErrorCodes.InvalidParams, 9 },
        { "info with a null package", """{"jsonrpc":"2.0","id":10,"method":"info","params":{"package":null}}""", RpcErrorCodes.InvalidParams, 10 },
        { "remove without packages", """{"jsonrpc":"2.0","id":11,"method":"remove","params":{}}""", RpcErrorCodes.InvalidParams, 11 },
        { "a string where a boolean goes", """{"jsonrpc":"2.0","id":12,"method":"list","params":{"available":"yes"}}""", RpcErrorCodes.InvalidParams, 12 },
        { "an unknown parameter", """{"jsonrpc":"2.0","id":13,"method":"status","params":{"verbose":true}}""", RpcErrorCodes.InvalidParams, 13 },
        { "too many positional params", """{"jsonrpc":"2.0","id":14,"method":"info","params":["a","b"]}""", RpcErrorCodes.InvalidParams, 14 },
        { "a fractional generation", """{"jsonrpc":"2.0","id":15,"method":"rollback","params":{"generation":1.5}}""", RpcErrorCodes.InvalidParams, 15 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_malformed_request_gets_its_JSON_RPC_error_and_the_connection_stays_usable(string what, string line, int code, long? id)
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        await fixture.DaemonAsync();
        using var connection = RawRpcConnection.Connect(fixture.Paths.Socket);

        await connection.SendLineAsync(line);
        string reply = await connection.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException($"{what}: the daemon closed the connection");

        var error = AssertCleanError(reply, code);
        var replyId = JsonDocument.Parse(reply).RootElement.GetProperty("id");
        if (id is long expected)
        {
            Assert.Equal(expected, replyId.GetInt64());
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, replyId.ValueKind);
        }

        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), what);
        var status = await connection.CallAsync(Status);
        Assert.Equal(99, status.GetProperty("id").GetInt64());
        Assert.True(status.TryGetProperty("result", out _), $"{what}: status after the error: {status}");
    }

    [Fact]
    public async Task A_notification_of_an_unknown_method_is_not_answered()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        await fixture.DaemonAsync();
        using var connection = RawRpcConnection.Connect(fixture.Paths.Socket);

        await connection.SendLineAsync("""{"jsonrpc":"2.0","method":"no-such-notification"}""");
        var next = await connection.CallAsync(Status);

        // JSON-RPC never answers a notification, so the next line is the status answer.
        Assert.Equal(99, next.GetProperty("id").GetInt64());
        Assert.True(next.TryGetProperty("result", out _));
    }

    [Theory]
    [InlineData("info", """{"package":"NAME"}""", ErrorCodes.NotFound)]
    [InlineData("install", """{"packages":["NAME"],"dryRun":true}""", ErrorCodes.NotFound)]
    [InlineData("remove", """{"packages":["NAME"],"dryRun":true}""", ErrorCodes.NotInstalled)]
    [InlineData("pin", """{"name":"NAME","fullName":"NAME","dryRun":true}""", ErrorCodes.InvalidRequest)]
    public async Task A_10000_character_package_name_is_not_echoed_whole(string method, string parameters, int code)
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        await fixture.DaemonAsync();
        using var connection = RawRpcConnection.Connect(fixture.Paths.Socket);
        string name = new('z', 10_000);

        await connection.SendLineAsync($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}","params":{{parameters.Replace("NAME", name, StringComparison.Ordinal)}}}""");
        string reply = await connection.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("the daemon closed the connection");

        string message = AssertCleanError(reply, code).GetProperty("message").GetString()!;
        Assert.InRange(message.Length, 1, 600);
        Assert.Contains("… (10000 characters)", message);
        Assert.DoesNotContain(new string('z', 201), message);
    }

    /// <summary>The reply is one JSON-RPC error with <paramref name="code"/>, one line, and nothing of an exception.</summary>
    internal static JsonElement AssertCleanError(string reply, int code)
    {
        Assert.DoesNotContain('\n', reply);
        Assert.DoesNotContain("   at ", reply);
        Assert.DoesNotContain(".cs:line", reply);
        Assert.DoesNotContain("Exception", reply);
        Assert.DoesNotContain("System.", reply);
        Assert.DoesNotContain("StreamJsonRpc", reply);
        var root = JsonDocument.Parse(reply).RootElement.Clone();
        Assert.Equal("2.0", root.GetProperty("jsonrpc").GetString());
        var error = root.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.False(error.TryGetProperty("data", out _), reply);
        Assert.DoesNotContain('\n', error.GetProperty("message").GetString()!);
        return error;
    }
}
