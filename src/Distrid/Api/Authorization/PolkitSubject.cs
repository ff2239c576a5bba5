using Tmds.DBus.Protocol;

namespace Distrid.Api.Authorization;

/// <summary>Writes polkit's subject struct <c>(sa{sv})</c> for a caller.</summary>
internal static class PolkitSubject
{
    public static void Write(ref MessageWriter writer, CallerIdentity caller)
    {
        writer.WriteStructureStart();
        if (caller.BusName is { } name)
        {
            writer.WriteString("system-bus-name");
            var dict = writer.WriteDictionaryStart();
            writer.WriteDictionaryEntryStart();
            writer.WriteString("name");
            writer.WriteVariantString(name);
            writer.WriteDictionaryEnd(dict);
            return;
        }

        var process = caller.Process ?? throw new InvalidOperationException("a caller needs a bus name or a process");
        writer.WriteString("unix-process");
        var entries = writer.WriteDictionaryStart();
        writer.WriteDictionaryEntryStart();
        writer.WriteString("pid");
        writer.WriteVariantUInt32((uint)process.Pid);
        writer.WriteDictionaryEntryStart();
        writer.WriteString("start-time");
        writer.WriteVariantUInt64(process.StartTime);
        writer.WriteDictionaryEntryStart();
        writer.WriteString("uid");
        writer.WriteVariantInt32((int)process.Uid);
        writer.WriteDictionaryEnd(entries);
    }
}
