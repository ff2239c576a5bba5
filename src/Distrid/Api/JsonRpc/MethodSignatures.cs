using System.Reflection;
using System.Text.Json;
using Distri.Core.Text;
using Distrid.Protocol;
using StreamJsonRpc;

namespace Distrid.Api.JsonRpc;

/// <summary>
/// The parameters each JSON-RPC method takes, read once from the contract (<see cref="IDistridApi"/>), so that a
/// request with a missing, unknown, null or mistyped parameter is refused with <c>-32602</c> and a line that names
/// the parameter before StreamJsonRpc (or our code) ever sees it. A contract parameter of a type this table does not
/// know fails the daemon's start: every new parameter must say how it is checked.
/// </summary>
internal sealed class MethodSignatures
{
    /// <summary>StreamJsonRpc's cancellation notification, which the contract does not declare.</summary>
    public const string CancelRequest = "$/cancelRequest";

    private readonly Dictionary<string, Parameter[]> _methods;

    private MethodSignatures(Dictionary<string, Parameter[]> methods) => _methods = methods;

    public static MethodSignatures FromContract()
    {
        var methods = new Dictionary<string, Parameter[]>(StringComparer.Ordinal)
        {
            [CancelRequest] = [new Parameter("id", ParameterKind.RequestId, Required: true)],
        };
        foreach (var method in typeof(IDistridApi).GetMethods())
        {
            string name = method.GetCustomAttribute<JsonRpcMethodAttribute>()?.Name
                ?? throw new InvalidOperationException($"IDistridApi.{method.Name} has no [JsonRpcMethod] name");
            methods.Add(name, [.. method.GetParameters()
                .Where(p => p.ParameterType != typeof(CancellationToken))
                .Select(p => new Parameter(p.Name!, KindOf(method, p), Required: !p.HasDefaultValue))]);
        }

        return new MethodSignatures(methods);
    }

    public bool IsKnown(string method) => _methods.ContainsKey(method);

    /// <summary>Null if <paramref name="parameters"/> (an object, an array, or absent) fit <paramref name="method"/>; else the one-line reason.</summary>
    public string? Check(string method, JsonElement? parameters)
    {
        var expected = _methods[method];
        if (parameters is not { } given)
        {
            return expected.FirstOrDefault(p => p.Required) is { } missing ? $"missing parameter '{missing.Name}'" : null;
        }

        if (given.ValueKind == JsonValueKind.Array)
        {
            int count = given.GetArrayLength();
            if (count > expected.Length)
            {
                return $"{method} takes at most {expected.Length} parameters, got {count}";
            }

            int index = 0;
            foreach (var value in given.EnumerateArray())
            {
                if (CheckValue(expected[index++], value) is { } error)
                {
                    return error;
                }
            }

            return expected.Skip(count).FirstOrDefault(p => p.Required) is { } absent ? $"missing parameter '{absent.Name}'" : null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in given.EnumerateObject())
        {
            var parameter = Array.Find(expected, p => p.Name == property.Name);
            if (parameter is null)
            {
                return $"unknown parameter '{EchoText.Cap(property.Name)}' for {method}";
            }

            if (!seen.Add(parameter.Name))
            {
                return $"parameter '{parameter.Name}' given twice";
            }

            if (CheckValue(parameter, property.Value) is { } error)
            {
                return error;
            }
        }

        return expected.FirstOrDefault(p => p.Required && !seen.Contains(p.Name)) is { } unset ? $"missing parameter '{unset.Name}'" : null;
    }

    private static string? CheckValue(Parameter parameter, JsonElement value) => parameter.Kind switch
    {
        ParameterKind.String => value.ValueKind == JsonValueKind.String ? null : $"'{parameter.Name}' must be a string, not {Describe(value)}",
        ParameterKind.StringList => CheckStringList(parameter.Name, value),
        ParameterKind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : $"'{parameter.Name}' must be true or false, not {Describe(value)}",
        ParameterKind.Int32 => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _) ? null : $"'{parameter.Name}' must be a whole number, not {Describe(value)}",
        ParameterKind.OptionalInt32 => value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _))
            ? null : $"'{parameter.Name}' must be a whole number or null, not {Describe(value)}",
        ParameterKind.ProgressToken or ParameterKind.RequestId => value.ValueKind == JsonValueKind.String
            || (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _))
            || (parameter.Kind == ParameterKind.ProgressToken && value.ValueKind == JsonValueKind.Null)
            ? null : $"'{parameter.Name}' must be a number or a string, not {Describe(value)}",
        _ => throw new InvalidOperationException($"no check for {parameter.Kind}"),
    };

    private static string? CheckStringList(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return $"'{name}' must be an array of strings, not {Describe(value)}";
        }

        int index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return $"'{name}[{index}]' must be a string, not {Describe(item)}";
            }

            index++;
        }

        return null;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static ParameterKind KindOf(MethodInfo method, ParameterInfo parameter) => parameter.ParameterType switch
    {
        var t when t == typeof(string) => ParameterKind.String,
        var t when t == typeof(IReadOnlyList<string>) => ParameterKind.StringList,
        var t when t == typeof(bool) => ParameterKind.Boolean,
        var t when t == typeof(int) => ParameterKind.Int32,
        var t when t == typeof(int?) => ParameterKind.OptionalInt32,
        var t when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IProgress<>) => ParameterKind.ProgressToken,
        var t => throw new InvalidOperationException(
            $"IDistridApi.{method.Name}({parameter.Name}): {t.Name} has no wire check in {nameof(MethodSignatures)}"),
    };

    private enum ParameterKind
    {
        String,
        StringList,
        Boolean,
        Int32,
        OptionalInt32,
        ProgressToken,
        RequestId,
    }

    private sealed record Parameter(string Name, ParameterKind Kind, bool Required);
}
