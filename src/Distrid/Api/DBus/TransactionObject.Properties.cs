using Tmds.DBus.Protocol;

namespace Distrid.Api.DBus;

/// <summary>org.freedesktop.DBus.Properties and the signals of a transaction object.</summary>
internal sealed partial class TransactionObject
{
    private static readonly string[] PropertyNames = ["Role", "Status", "Percentage", "AllowCancel", "Uid", "Sender"];

    private void HandleProperties(MethodContext context) =>
        PropertyReplies.ReadOnly(
            context, "transaction properties are read-only", @interface => @interface is DBusNames.TransactionInterface or "" ? (PropertyNames, WriteProperty) : null);

    private void WriteProperties(ref MessageWriter writer, IEnumerable<string> names)
    {
        var dict = writer.WriteDictionaryStart();
        foreach (string name in names)
        {
            VariantDictionary.Entry(ref writer, name);
            WriteProperty(ref writer, name);
        }

        writer.WriteDictionaryEnd(dict);
    }

    private void WriteProperty(ref MessageWriter writer, string name)
    {
        lock (_gate)
        {
            switch (name)
            {
                case "Role": writer.WriteVariantString(_request.Role); break;
                case "Status": writer.WriteVariantString(_status); break;
                case "Percentage": writer.WriteVariantUInt32(_percentage); break;
                case "AllowCancel": writer.WriteVariantBool(_allowCancel); break;
                case "Uid": writer.WriteVariantUInt32(_creator.Uid); break;
                default: writer.WriteVariantString(Sender); break;
            }
        }
    }

    /// <summary>Updates the moving properties and announces the ones that changed with PropertiesChanged.</summary>
    private void SetStatus(string status, bool allowCancel, uint? percentage = null)
    {
        var changed = new List<string>(3);
        lock (_gate)
        {
            if (_status != status)
            {
                _status = status;
                changed.Add("Status");
            }

            if (_allowCancel != allowCancel)
            {
                _allowCancel = allowCancel;
                changed.Add("AllowCancel");
            }

            if (percentage is uint p && p != _percentage)
            {
                _percentage = p;
                changed.Add("Percentage");
            }
        }

        if (changed.Count > 0)
        {
            Emit(DBusNames.PropertiesInterface, "PropertiesChanged", "sa{sv}as", (ref MessageWriter writer) =>
            {
                writer.WriteString(DBusNames.TransactionInterface);
                WriteProperties(ref writer, changed);
                writer.WriteArray(Array.Empty<string>());
            });
        }
    }

    private void EmitProgress(string item, uint percent, ulong done, ulong total) =>
        Emit(DBusNames.TransactionInterface, "Progress", "sutt", (ref MessageWriter writer) =>
        {
            writer.WriteString(item);
            writer.WriteUInt32(percent);
            writer.WriteUInt64(done);
            writer.WriteUInt64(total);
        });

    private void EmitErrorCode(string code, string details) =>
        Emit(DBusNames.TransactionInterface, "ErrorCode", "ss", (ref MessageWriter writer) =>
        {
            writer.WriteString(code);
            writer.WriteString(details);
        });

    private void EmitFinished(string exit, uint runtimeMs) =>
        Emit(DBusNames.TransactionInterface, "Finished", "su", (ref MessageWriter writer) =>
        {
            writer.WriteString(exit);
            writer.WriteUInt32(runtimeMs);
        });

    private void Emit(string @interface, string member, string signature, MethodReplies.BodyWriter body)
    {
        var connection = _registry.Connection;
        var writer = connection.GetMessageWriter();
        try
        {
            writer.WriteSignalHeader(path: Path, @interface: @interface, member: member, signature: signature);
            body(ref writer);
            connection.TrySendMessage(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }
}
