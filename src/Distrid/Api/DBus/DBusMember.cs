using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>One argument of a D-Bus method, as introspection shows it.</summary>
internal readonly record struct DBusArgument(string Name, string Type);

/// <summary>
/// One method of an object: its name, arguments (the input signature is their types), the JSON-RPC method it mirrors
/// (null for none) and its handler. The member table is the only place a method is named: dispatch, signature
/// checks and introspection all read it.
/// </summary>
internal sealed record DBusMember<TObject>(
    string Name, DBusArgument[] In, DBusArgument[] Out, string? JsonRpcMethod, Func<TObject, MethodContext, Task> Handler)
{
    public string InSignature { get; } = string.Concat(In.Select(a => a.Type));

    /// <summary>The &lt;method&gt; element of the introspection XML.</summary>
    public string IntrospectionXml =>
        $"<method name=\"{Name}\">"
        + string.Concat(In.Select(a => $"<arg name=\"{a.Name}\" type=\"{a.Type}\" direction=\"in\"/>"))
        + string.Concat(Out.Select(a => $"<arg name=\"{a.Name}\" type=\"{a.Type}\" direction=\"out\"/>"))
        + "</method>";
}
