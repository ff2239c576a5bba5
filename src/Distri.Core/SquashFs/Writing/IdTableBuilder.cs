namespace Distri.Core.SquashFs.Writing;

/// <summary>The uid/gid table: each distinct id once, in order of first use; inodes store the index.</summary>
internal sealed class IdTableBuilder
{
    private readonly Dictionary<uint, ushort> _indexes = [];
    private readonly List<uint> _ids = [];

    public IReadOnlyList<uint> Ids => _ids;

    public ushort IndexOf(uint id)
    {
        if (_indexes.TryGetValue(id, out ushort index))
        {
            return index;
        }

        if (_ids.Count == ushort.MaxValue)
        {
            throw new SquashFsException(SquashFsError.InvalidInput, "more than 65535 distinct uids and gids");
        }

        index = (ushort)_ids.Count;
        _indexes.Add(id, index);
        _ids.Add(id);
        return index;
    }
}
