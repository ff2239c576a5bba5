using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Districtl.Output;

/// <summary>Prints one JSON document on stdout (the <c>--json</c> contract for scripts).</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new(Distrid.Protocol.ProtocolJsonContext.Default.Options) { WriteIndented = true };

    public static void Write<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var info = (JsonTypeInfo<T>)Indented.GetTypeInfo(typeInfo.Type);
        Console.Out.WriteLine(JsonSerializer.Serialize(value, info));
    }
}
