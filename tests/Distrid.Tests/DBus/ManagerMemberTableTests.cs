using System.Reflection;
using System.Text;
using Distrid.Api.DBus;
using Distrid.Protocol;

namespace Distrid.Tests.DBus;

/// <summary>The Manager's one member table against the JSON-RPC contract: every JSON-RPC method has its D-Bus
/// method (and the reverse), except the deliberate exclusions listed here.</summary>
public sealed class ManagerMemberTableTests
{
    /// <summary>JSON-RPC names with no Manager method, and why.</summary>
    private static readonly Dictionary<string, string> JsonRpcOnly = new(StringComparer.Ordinal)
    {
        [MethodNames.Progress] = "a notification, not a method: D-Bus reports progress as the transaction object's Progress signal",
        [MethodNames.ScheduledUpdate] = "distrid-update.service's one-shot client (root, on the socket) only; D-Bus callers use Update with OnlyDownload, then ApplyDownloaded",
    };

    private static IEnumerable<string> JsonRpcMethods() =>
        typeof(MethodNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void Every_json_rpc_method_has_exactly_one_dbus_method_and_every_dbus_method_mirrors_one()
    {
        var mirrored = ManagerObject.Members.Select(m => m.JsonRpcMethod).ToList();
        Assert.DoesNotContain(null, mirrored); // no D-Bus-only method today; list one here with its reason if that changes
        foreach (string method in JsonRpcMethods().Where(m => !JsonRpcOnly.ContainsKey(m)))
        {
            Assert.True(mirrored.Count(m => m == method) == 1, $"JSON-RPC method {method} has {mirrored.Count(m => m == method)} D-Bus methods");
        }

        Assert.All(mirrored, m => Assert.Contains(m!, JsonRpcMethods()));
        Assert.All(JsonRpcOnly.Keys, m => Assert.Contains(m, JsonRpcMethods()));
    }

    [Fact]
    public void The_introspection_xml_is_the_member_table()
    {
        string xml = Encoding.UTF8.GetString(Introspection.Manager.Span);
        Assert.Equal(ManagerObject.Members.Count, xml.Split("<method ").Length - 1);
        foreach (var member in ManagerObject.Members)
        {
            Assert.Contains(member.IntrospectionXml, xml);
        }

        Assert.Contains("<method name=\"Gc\"><arg name=\"keep\" type=\"u\" direction=\"in\"/><arg name=\"flags\" type=\"t\" direction=\"in\"/>", xml);
        Assert.Equal(ManagerObject.Members.Count, ManagerObject.Members.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count());
    }
}
