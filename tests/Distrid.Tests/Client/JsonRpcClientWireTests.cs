using System.Text.Json;
using Districtl.Cli;
using Districtl.Client;
using Distrid.Protocol;

namespace Distrid.Tests.Client;

/// <summary>districtl's JSON-RPC client against a scripted server: what it sends and how it reads the answers.</summary>
public sealed class JsonRpcClientWireTests
{
    [Fact]
    public async Task A_call_sends_named_params_with_a_progress_token_and_relays_progress_in_order()
    {
        await using var server = new ScriptedRpcServer();
        await using var daemon = await DaemonConnection.ConnectAsync(server.SocketPath, CancellationToken.None);
        var reports = new List<ProgressInfo>();

        var install = daemon.Api.InstallAsync(["tool", "lib"], dryRun: true, progress: new Recorder(reports));
        var request = await server.ReceiveAsync();
        Assert.Equal("2.0", request.GetProperty("jsonrpc").GetString());
        Assert.Equal("install", request.GetProperty("method").GetString());
        long id = request.GetProperty("id").GetInt64();
        var parameters = request.GetProperty("params");
        Assert.Equal(["tool", "lib"], parameters.GetProperty("packages").EnumerateArray().Select(p => p.GetString()));
        Assert.True(parameters.GetProperty("dryRun").GetBoolean());
        long token = parameters.GetProperty("progress").GetInt64();

        // As StreamJsonRpc's server sends them: positional [token, value]; and the named form some servers use.
        await server.SendAsync($$$"""{"jsonrpc":"2.0","method":"$/progress","params":[{{{token}}},{"phase":"download","package":"lib","packageBytesDone":5,"packageBytesTotal":10,"totalBytesDone":5,"totalBytes":30}]}""");
        await server.SendAsync($$$"""{"jsonrpc":"2.0","method":"$/progress","params":{"value":{"phase":"download","package":"tool","totalBytesDone":30,"totalBytes":30},"token":{{{token}}}}}""");
        await server.SendAsync($$$"""{"jsonrpc":"2.0","method":"$/progress","params":[{{{token + 1000}}},{"phase":"stray"}]}""");
        await server.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"description":"install tool lib","dryRun":true,"changed":true,"previousGeneration":0,"generation":1,"added":["lib-amd64-1-1"]}}""");

        var result = await install;
        Assert.Equal("install tool lib", result.Description);
        Assert.Equal(["lib-amd64-1-1"], result.Added);
        Assert.Equal(["lib", "tool"], reports.Select(r => r.Package));
        Assert.Equal([5L, 30L], reports.Select(r => r.TotalBytesDone));
    }

    [Fact]
    public async Task Answers_split_across_reads_and_longer_than_the_first_buffer_are_read_whole()
    {
        await using var server = new ScriptedRpcServer();
        await using var daemon = await DaemonConnection.ConnectAsync(server.SocketPath, CancellationToken.None);

        var search = daemon.Api.SearchAsync("x");
        long id = (await server.ReceiveAsync()).GetProperty("id").GetInt64();
        var packages = Enumerable.Range(0, 2000).Select(i => new PackageInfo { Name = $"p{i}", FullName = $"p{i}-amd64-1-1", Arch = "amd64", Version = "1", Revision = 1, Summary = new string('s', 40) }).ToList();
        string result = JsonSerializer.Serialize<IReadOnlyList<PackageInfo>>(packages, ProtocolJsonContext.Default.IReadOnlyListPackageInfo);
        // A notification and the long answer in one stream, cut at arbitrary points (and a CRLF line end).
        await server.SendInPiecesAsync(
            "{\"jsonrpc\":\"2.0\",\"method\":\"other/notification\",\"params\":{}}\r\n" +
            $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{result}}}\n", chunk: 997);

        var found = await search;
        Assert.True(result.Length > 64 * 1024, "the answer must outgrow the first read buffer");
        Assert.Equal(packages.Select(p => p.FullName), found.Select(p => p.FullName));
    }

    [Fact]
    public async Task An_error_reply_becomes_one_line_with_the_daemons_message_and_code()
    {
        await using var server = new ScriptedRpcServer();
        await using var daemon = await DaemonConnection.ConnectAsync(server.SocketPath, CancellationToken.None);

        var info = daemon.Api.InfoAsync("nothing");
        var request = await server.ReceiveAsync();
        Assert.Equal("nothing", request.GetProperty("params").GetProperty("package").GetString());
        await server.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetInt64()}}},"error":{"code":1002,"message":"no package 'nothing' in the repositories or the store","data":null}}""");

        var error = await Assert.ThrowsAsync<RemoteRpcException>(() => info);
        Assert.Equal(ErrorCodes.NotFound, error.Code);
        Assert.True(UserError.IsExpected(error));
        Assert.Equal("no package 'nothing' in the repositories or the store", UserError.Describe(error));
    }

    [Fact]
    public async Task Cancelling_sends_cancelRequest_with_the_request_id_and_ends_when_the_daemon_confirms()
    {
        await using var server = new ScriptedRpcServer();
        await using var daemon = await DaemonConnection.ConnectAsync(server.SocketPath, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var remove = daemon.Api.RemoveAsync(["tool"], cancellationToken: cancel.Token);
        long id = (await server.ReceiveAsync()).GetProperty("id").GetInt64();
        await cancel.CancelAsync();

        var cancelRequest = await server.ReceiveAsync();
        Assert.Equal("$/cancelRequest", cancelRequest.GetProperty("method").GetString());
        Assert.False(cancelRequest.TryGetProperty("id", out _), "a cancellation is a notification");
        Assert.Equal(id, cancelRequest.GetProperty("params").GetProperty("id").GetInt64());
        // The call still waits for the daemon's word: it may be past its commit.
        Assert.False(remove.IsCompleted);

        await server.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32800,"message":"Canceled"}}""");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => remove);
    }

    [Fact]
    public async Task A_call_cancelled_after_the_commit_began_returns_the_daemons_result()
    {
        await using var server = new ScriptedRpcServer();
        await using var daemon = await DaemonConnection.ConnectAsync(server.SocketPath, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var update = daemon.Api.UpdateAsync(cancellationToken: cancel.Token);
        long id = (await server.ReceiveAsync()).GetProperty("id").GetInt64();
        await cancel.CancelAsync();
        Assert.Equal("$/cancelRequest", (await server.ReceiveAsync()).GetProperty("method").GetString());
        await server.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"description":"update","dryRun":false,"changed":true,"previousGeneration":3,"generation":4}}""");

        Assert.Equal(4, (await update).Generation);
    }

    [Fact]
    public async Task A_daemon_that_closes_the_connection_mid_call_gives_one_clear_line()
    {
        await using var server = new ScriptedRpcServer();
        await using var daemon = await DaemonConnection.ConnectAsync(server.SocketPath, CancellationToken.None);

        var status = daemon.Api.StatusAsync();
        await server.ReceiveAsync();
        server.CloseConnection();

        var error = await Assert.ThrowsAsync<RpcConnectionLostException>(() => status);
        Assert.True(UserError.IsExpected(error));
        Assert.Equal("the daemon closed the connection before answering", UserError.Describe(error));
        // Later calls on the dead connection fail the same way instead of waiting.
        await Assert.ThrowsAsync<RpcConnectionLostException>(() => daemon.Api.GenerationsAsync());
    }

    [Fact]
    public async Task A_garbled_answer_fails_the_call_instead_of_hanging()
    {
        await using var server = new ScriptedRpcServer();
        await using var daemon = await DaemonConnection.ConnectAsync(server.SocketPath, CancellationToken.None);

        var list = daemon.Api.ListAsync(available: true);
        Assert.True((await server.ReceiveAsync()).GetProperty("params").GetProperty("available").GetBoolean());
        await server.SendAsync("this is not JSON");

        var error = await Assert.ThrowsAsync<RpcConnectionLostException>(() => list);
        Assert.StartsWith("the daemon sent an invalid message", error.Message);
        Assert.True(UserError.IsExpected(error));
    }

    /// <summary>Records synchronously, as districtl's reporters do (Progress&lt;T&gt; would post and reorder).</summary>
    private sealed class Recorder(List<ProgressInfo> reports) : IProgress<ProgressInfo>
    {
        public void Report(ProgressInfo value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
