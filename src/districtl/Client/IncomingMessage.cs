using System.Text.Json;

namespace Districtl.Client;

/// <summary>
/// The top-level members of one JSON-RPC 2.0 message from the daemon, as slices of the received line: a response
/// (<c>id</c> with <c>result</c> or <c>error</c>) or a notification (<c>method</c> and <c>params</c>, no id).
/// Values are left as raw JSON so each is deserialized once, straight into its typed DTO.
/// </summary>
internal readonly ref struct IncomingMessage
{
    public long? Id { get; init; }

    /// <summary>The method of a notification or request; empty for a response.</summary>
    public ReadOnlySpan<byte> Method { get; init; }

    public ReadOnlySpan<byte> Params { get; init; }

    public ReadOnlySpan<byte> Result { get; init; }

    /// <summary>The raw <c>error</c> object of a failed call; empty otherwise.</summary>
    public ReadOnlySpan<byte> Error { get; init; }

    public bool IsResponse => Id is not null && Method.IsEmpty && (!Result.IsEmpty || !Error.IsEmpty);

    /// <exception cref="JsonException">The line is not a JSON object.</exception>
    public static IncomingMessage Parse(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a JSON-RPC message must be a JSON object");
        }

        long? id = null;
        ReadOnlySpan<byte> method = default, parameters = default, result = default, error = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Member names are compared unescaped: the daemon writes them plainly.
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("id"u8))
            {
                // We only send numeric ids, so any other id (a string, null on a parse error) matches no call.
                id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long number) ? number : null;
            }
            else if (name.SequenceEqual("method"u8) && reader.TokenType == JsonTokenType.String)
            {
                method = reader.ValueSpan;
            }
            else if (name.SequenceEqual("params"u8))
            {
                parameters = line[ValueRange(ref reader)];
            }
            else if (name.SequenceEqual("result"u8))
            {
                result = line[ValueRange(ref reader)];
            }
            else if (name.SequenceEqual("error"u8))
            {
                error = line[ValueRange(ref reader)];
            }
            else
            {
                reader.Skip();
            }
        }

        return new IncomingMessage { Id = id, Method = method, Params = parameters, Result = result, Error = error };
    }

    /// <summary>Where the current value (scalar, object or array) lies in the reader's input; the reader moves past it.</summary>
    public static Range ValueRange(ref Utf8JsonReader reader)
    {
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }
}
