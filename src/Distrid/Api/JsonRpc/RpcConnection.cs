using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Distrid.Protocol;
using StreamJsonRpc;

namespace Distrid.Api.JsonRpc;

/// <summary>The daemon's wire setup (districtl has its own client): newline-delimited JSON-RPC 2.0 with System.Text.Json.</summary>
internal static class RpcConnection
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
