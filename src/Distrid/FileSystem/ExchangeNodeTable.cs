using Distrid.FileSystem.Exchange;

namespace Distrid.FileSystem;

/// <summary>
/// Gives exchange-tree nodes their node ids. Append-only for the daemon's life: a kernel that still holds an id
/// from an earlier generation's tree (a shell whose cwd is /ro/share/man) keeps getting sensible answers.
/// </summary>
internal sealed class ExchangeNodeTable
{
    private readonly Lock _appendLock = new();
    private ExchangeNode[] _nodes = new ExchangeNode[1024];
    private int _count = 1; // index 0 is never used

    /// <summary>The views of <c>districtl run</c>: exchange trees of their own, outside this journaled table.</summary>
    public Views.ViewTable Views { get; } = new();

    public void Register(ExchangeTree tree)
    {
        lock (_appendLock)
        {
            foreach (var node in tree.AllNodes())
            {
                Append(node);
            }
        }
    }

    /// <summary>Gives <paramref name="node"/> the next index; the caller holds the append lock.</summary>
    private void Append(ExchangeNode node)
    {
        if (_count == _nodes.Length)
        {
            var grown = new ExchangeNode[_nodes.Length * 2];
            Array.Copy(_nodes, grown, _count);
            Volatile.Write(ref _nodes, grown);
        }

        node.NodeId = NodeIds.ForExchange(_count);
        _nodes[_count++] = node;
    }

    /// <summary>The next index <see cref="Register"/> would give: indices 1 up to it are assigned.</summary>
    public int Count
    {
        get
        {
            lock (_appendLock)
            {
                return _count;
            }
        }
    }

    /// <summary>The node at <paramref name="index"/> (1 &lt;= index &lt; <see cref="Count"/>).</summary>
    public ExchangeNode At(int index) => Volatile.Read(ref _nodes)[index];

    /// <summary>
    /// Puts <paramref name="node"/> at exactly <paramref name="index"/>, which must be <see cref="Count"/>: how a
    /// successor daemon re-creates its predecessor's exchange nodes before it registers trees of its own.
    /// </summary>
    public void Restore(int index, ExchangeNode node)
    {
        lock (_appendLock)
        {
            if (index != _count)
            {
                throw new InvalidDataException($"exchange node {index} restored out of order (next is {_count})");
            }

            Append(node);
        }
    }

    public ExchangeNode? Get(ulong node)
    {
        if (NodeIds.IsView(node))
        {
            return Views.Get(node);
        }

        int index = NodeIds.ExchangeIndex(node);
        var nodes = Volatile.Read(ref _nodes);
        return index > 0 && index < nodes.Length ? nodes[index] : null;
    }
}
