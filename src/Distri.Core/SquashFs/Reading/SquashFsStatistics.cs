using Distri.Core.SquashFs.Format;

namespace Distri.Core.SquashFs.Reading;

/// <summary>Figures of an opened image, e.g. for statfs.</summary>
public readonly record struct SquashFsStatistics(
    ulong BytesUsed,
    uint BlockSize,
    uint InodeCount,
    uint FragmentCount,
    ushort IdCount,
    CompressionId Compression,
    uint ModificationTime,
    bool HasExportTable,
    bool HasXattrs);
