using System.Text;

namespace Distrid.Api.DBus;

/// <summary>The introspection XML of both interfaces and the standard Properties interface, built once.</summary>
internal static class Introspection
{
    /// <summary>Generated from <see cref="ManagerObject.Members"/>, so what introspection shows is what dispatch serves.</summary>
    public static readonly ReadOnlyMemory<byte> Manager = Encoding.UTF8.GetBytes(
        $"  <interface name=\"{DBusNames.ManagerInterface}\">\n"
        + string.Concat(ManagerObject.Members.Select(m => $"    {m.IntrospectionXml}\n"))
        + "  </interface>\n");

    public static readonly ReadOnlyMemory<byte> Transaction = Encoding.UTF8.GetBytes("""
          <interface name="org.distrid.Distrid1.Transaction">
            <method name="Start"/>
            <method name="StartDetached"/>
            <method name="Cancel"/>
            <signal name="Progress"><arg name="item" type="s"/><arg name="percent" type="u"/><arg name="done" type="t"/><arg name="total" type="t"/></signal>
            <signal name="ErrorCode"><arg name="code" type="s"/><arg name="details" type="s"/></signal>
            <signal name="Finished"><arg name="exit" type="s"/><arg name="runtime_ms" type="u"/></signal>
            <property name="Role" type="s" access="read"/>
            <property name="Status" type="s" access="read"/>
            <property name="Percentage" type="u" access="read"/>
            <property name="AllowCancel" type="b" access="read"/>
            <property name="Uid" type="u" access="read"/>
            <property name="Sender" type="s" access="read"/>
          </interface>

        """);

    public static readonly ReadOnlyMemory<byte> Properties = Encoding.UTF8.GetBytes("""
          <interface name="org.freedesktop.DBus.Properties">
            <method name="Get"><arg name="interface_name" type="s" direction="in"/><arg name="property_name" type="s" direction="in"/><arg name="value" type="v" direction="out"/></method>
            <method name="GetAll"><arg name="interface_name" type="s" direction="in"/><arg name="properties" type="a{sv}" direction="out"/></method>
            <method name="Set"><arg name="interface_name" type="s" direction="in"/><arg name="property_name" type="s" direction="in"/><arg name="value" type="v" direction="in"/></method>
            <signal name="PropertiesChanged"><arg name="interface_name" type="s"/><arg name="changed_properties" type="a{sv}"/><arg name="invalidated_properties" type="as"/></signal>
          </interface>

        """);
}
