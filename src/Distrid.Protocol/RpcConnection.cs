using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using StreamJsonRpc;

namespace Distrid.Protocol;

/// <summary>The one wire setup both ends use: newline-delimited JSON-RPC 2.0 with System.Text.Json.</summary>
public static class RpcConnection
{
    public static IJsonRpcMessageHandler CreateHandler(Stream duplex)
    {
        var formatter = new SystemTextJsonFormatter();
        // Our messages are source-generated; StreamJsonRpc's own types (error data) fall back to reflection.
        formatter.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
        formatter.JsonSerializerOptions.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        formatter.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        formatter.JsonSerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        return new NewLineDelimitedMessageHandler(duplex, duplex, formatter);
    }
}
