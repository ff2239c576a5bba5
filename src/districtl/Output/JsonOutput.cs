using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Districtl.Output;

/// <summary>Prints one JSON document on stdout (the <c>--json</c> contract for scripts).</summary>
internal static class JsonOutput
{
    public static void Write<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var indented = new JsonSerializerOptions(typeInfo.Options) { WriteIndented = true };
        Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)indented.GetTypeInfo(typeof(T))));
    }
}
