using Distrid.Fuse.Protocol;

namespace Distrid.Fuse.Session;

/// <summary>One row of the dispatch table.</summary>
internal readonly record struct OpcodeEntry(string Name, int MinimumBodySize, RequestHandler? Handler);

/// <summary>
/// The single dispatch table: for each opcode its name, the minimum body length and the handler. The session
/// rejects short bodies (EIO) and opcodes without a handler (ENOSYS) before any handler runs.
/// </summary>
internal static class OpcodeTable
{
    /// <summary>Handler result meaning "the protocol forbids a reply" (FORGET, BATCH_FORGET, NOTIFY_REPLY).</summary>
    public const int NoReply = int.MinValue;

    // Declared before Entries: static initializers run in textual order.
    private static readonly FuseOpcode[] MutatingOpcodes =
    [
        FuseOpcode.SetAttr, FuseOpcode.Symlink, FuseOpcode.MkNod, FuseOpcode.MkDir, FuseOpcode.Unlink,
        FuseOpcode.RmDir, FuseOpcode.Rename, FuseOpcode.Link, FuseOpcode.Write, FuseOpcode.SetXattr,
        FuseOpcode.RemoveXattr, FuseOpcode.Create, FuseOpcode.Fallocate, FuseOpcode.Rename2,
        FuseOpcode.CopyFileRange, FuseOpcode.TmpFile, FuseOpcode.CopyFileRange64,
    ];


    private static readonly OpcodeEntry Unknown = new("UNKNOWN", 0, null);
    private static readonly OpcodeEntry[] Entries = Build();

    public static int Length => Entries.Length;

    public static ref readonly OpcodeEntry Get(uint opcode) =>
        ref opcode < (uint)Entries.Length ? ref Entries[opcode] : ref Unknown;

    public static string NameOf(uint opcode) => Get(opcode).Name;

    private static OpcodeEntry[] Build()
    {
        var table = new OpcodeEntry[FuseRequestCounters.OpcodeSlots];
        for (uint i = 0; i < table.Length; i++)
        {
            string name = Enum.IsDefined((FuseOpcode)i) ? ((FuseOpcode)i).ToString().ToUpperInvariant() : "UNKNOWN";
            table[i] = new OpcodeEntry(name, 0, null);
        }

        void Set(FuseOpcode opcode, int minimumBodySize, RequestHandler handler) =>
            table[(int)opcode] = table[(int)opcode] with { MinimumBodySize = minimumBodySize, Handler = handler };

        Set(FuseOpcode.Init, FuseInitIn.MinimumSize, InitHandler.Handle);
        Set(FuseOpcode.Lookup, 1, RequestHandlers.Lookup);
        Set(FuseOpcode.Forget, FuseForgetIn.Size, RequestHandlers.Forget);
        Set(FuseOpcode.BatchForget, FuseBatchForgetIn.Size, RequestHandlers.BatchForget);
        Set(FuseOpcode.GetAttr, 0, RequestHandlers.GetAttr);
        Set(FuseOpcode.ReadLink, 0, RequestHandlers.ReadLink);
        Set(FuseOpcode.Open, FuseOpenIn.Size, RequestHandlers.Open);
        Set(FuseOpcode.OpenDir, FuseOpenIn.Size, RequestHandlers.OpenDirectory);
        Set(FuseOpcode.Read, FuseReadIn.Size, RequestHandlers.Read);
        Set(FuseOpcode.ReadDir, FuseReadIn.Size, RequestHandlers.ReadDirectory);
        Set(FuseOpcode.ReadDirPlus, FuseReadIn.Size, RequestHandlers.ReadDirectoryPlus);
        Set(FuseOpcode.Release, FuseReleaseIn.Size, RequestHandlers.Release);
        Set(FuseOpcode.ReleaseDir, FuseReleaseIn.Size, RequestHandlers.ReleaseDirectory);
        Set(FuseOpcode.StatFs, 0, RequestHandlers.StatFs);
        Set(FuseOpcode.GetXattr, FuseGetXattrIn.Size + 1, RequestHandlers.GetExtendedAttribute);
        Set(FuseOpcode.ListXattr, FuseGetXattrIn.Size, RequestHandlers.ListExtendedAttributes);
        Set(FuseOpcode.Access, FuseAccessIn.Size, RequestHandlers.Access);
        Set(FuseOpcode.Destroy, 0, RequestHandlers.Destroy);
        Set(FuseOpcode.NotifyReply, 0, RequestHandlers.Ignore);

        // MS_RDONLY makes the VFS refuse these; should one arrive anyway, it gets the answer the VFS would give.
        foreach (FuseOpcode mutating in MutatingOpcodes)
        {
            Set(mutating, 0, RequestHandlers.ReadOnlyFileSystem);
        }

        // Everything else (FLUSH, LSEEK, STATX, INTERRUPT, FSYNC, locks, ioctl, poll ...) keeps a null handler
        // and gets ENOSYS, which the kernel remembers per connection.
        return table;
    }
}
