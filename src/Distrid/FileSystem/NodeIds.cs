namespace Distrid.FileSystem;

/// <summary>
/// FUSE node ids of /ro, derived rather than stored, so the kernel's ids stay meaningful without a per-node table:
/// <list type="bullet">
/// <item>1 is /ro itself;</item>
/// <item>bit 63 set: a node of the exchange trees (index into <see cref="ExchangeNodeTable"/>); with bit 62 set too, a
/// node of a view of <c>districtl run</c> (<see cref="Views.ViewTable"/>: view number in bits 32-61, index below);</item>
/// <item>otherwise (image slot &lt;&lt; 40) | SquashFS inode reference: slot &gt;= 1 numbers the image for the
/// daemon's life, and the reference (inode-table block &lt;&lt; 16 | offset) must fit 40 bits, i.e. the image's
/// inode table is below 16 MiB (hundreds of thousands of inodes).</item>
/// </list>
/// Hard links share one SquashFS inode, so they share one node id and one inode number.
/// </summary>
internal static class NodeIds
{
    public const ulong Root = 1;
    public const int SlotShift = 40;
    public const ulong InodeRefMask = (1UL << SlotShift) - 1;
    public const ulong ExchangeFlag = 1UL << 63;
    public const int MaxSlot = (int)((ExchangeFlag >> SlotShift) - 1);

    public static bool FitsInodeRef(ulong inodeRef) => inodeRef <= InodeRefMask;

    public static ulong ForImageInode(int slot, ulong inodeRef) => ((ulong)slot << SlotShift) | inodeRef;

    public static ulong ForExchange(int index) => ExchangeFlag | (uint)index;

    public const ulong ViewFlag = 1UL << 62;
    public const int ViewShift = 32;
    public const uint MaxView = (uint)(ViewFlag >> ViewShift) - 1;

    public static ulong ForView(uint view, uint index) => ExchangeFlag | ViewFlag | ((ulong)view << ViewShift) | index;

    public static bool IsView(ulong node) => (node & (ExchangeFlag | ViewFlag)) == (ExchangeFlag | ViewFlag);

    public static uint ViewNumber(ulong node) => (uint)((node & ~(ExchangeFlag | ViewFlag)) >> ViewShift);

    public static uint ViewIndex(ulong node) => (uint)node;

    public static bool IsExchange(ulong node) => (node & ExchangeFlag) != 0;

    public static int ExchangeIndex(ulong node) => (int)(node & ~ExchangeFlag);

    public static int Slot(ulong node) => (int)(node >> SlotShift);

    public static ulong InodeRef(ulong node) => node & InodeRefMask;
}
