using System.Text.Json;

namespace Districtl.Client;

/// <summary>The reading half: routes each incoming line to its pending call or progress receiver.</summary>
internal sealed partial class JsonRpcClient
{
    private async Task ReadAsync()
    {
        Exception ending;
        try
        {
            await _transport.ReadLinesAsync(Dispatch, _stopReading.Token);
            ending = new RpcConnectionLostException();
        }
        catch (OperationCanceledException) when (_stopReading.IsCancellationRequested)
        {
            ending = new ObjectDisposedException(nameof(JsonRpcClient));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            ending = new RpcConnectionLostException(inner: e);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            // A daemon that sends garbage cannot be trusted with the rest of the stream either.
            ending = new RpcConnectionLostException("the daemon sent an invalid message: " + e.Message, e);
        }
        catch (Exception e)
        {
            // A bug (e.g. in a progress receiver): the waiting calls fail with it rather than wait forever.
            ending = e;
        }

        PendingCall[] orphans;
        lock (_pendingLock)
        {
            _closed = ending;
            orphans = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (var call in orphans)
        {
            call.Fail(ending);
        }
    }

    private void Dispatch(ReadOnlySpan<byte> line)
    {
        var message = IncomingMessage.Parse(line);
        if (message.IsResponse)
        {
            PendingCall? call;
            lock (_pendingLock)
            {
                _pending.Remove(message.Id!.Value, out call);
            }

            // An answer to no call of ours (one we gave up on) is dropped.
            if (!message.Error.IsEmpty)
            {
                call?.Fail(RemoteRpcException.FromErrorObject(message.Error));
            }
            else
            {
                call?.Complete(message.Result);
            }
        }
        else if (message.Id is null && message.Method.SequenceEqual("$/progress"u8))
        {
            RouteProgress(message.Params);
        }

        // Anything else (requests from the daemon, other notifications) has no meaning for this client.
    }

    /// <summary><c>$/progress</c> params: <c>[token, value]</c>, or <c>{"token":…,"value":…}</c> from a server that names them.</summary>
    private void RouteProgress(ReadOnlySpan<byte> parameters)
    {
        var reader = new Utf8JsonReader(parameters);
        if (!reader.Read())
        {
            return;
        }

        long? token = null;
        ReadOnlySpan<byte> value = default;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long t) && reader.Read())
            {
                token = t;
                value = parameters[IncomingMessage.ValueRange(ref reader)];
            }
        }
        else if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isToken = reader.ValueTextEquals("token"u8), isValue = reader.ValueTextEquals("value"u8);
                reader.Read();
                if (isToken && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long t))
                {
                    token = t;
                }
                else if (isValue)
                {
                    value = parameters[IncomingMessage.ValueRange(ref reader)];
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        if (token is null || value.IsEmpty)
        {
            return;
        }

        PendingCall? call;
        lock (_pendingLock)
        {
            _pending.TryGetValue(token.Value, out call);
        }

        // Reported on the reading thread, in the order the daemon sent them; late reports (after the answer) are dropped.
        call?.ReportProgress(value);
    }
}
