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

    public void Register(ExchangeTree tree)
    {
        lock (_appendLock)
        {
            foreach (var node in tree.AllNodes())
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
        }
    }

    public ExchangeNode? Get(ulong node)
    {
        int index = NodeIds.ExchangeIndex(node);
        var nodes = Volatile.Read(ref _nodes);
        return index > 0 && index < nodes.Length ? nodes[index] : null;
    }
}
