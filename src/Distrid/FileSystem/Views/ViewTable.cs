using System.Globalization;
using System.Text;
using Distrid.FileSystem.Exchange;

namespace Distrid.FileSystem.Views;

/// <summary>
/// The open views of <c>districtl run</c>, served as <c>/ro/.view/&lt;n&gt;/bin</c>, <c>.../lib</c>, ...: each an
/// exchange tree merged for one caller, which bind-mounts its directories over <c>/ro/bin</c>, ... in a mount
/// namespace of its own. A view's nodes have ids of their own (<see cref="NodeIds.ForView"/>): a view number that is
/// never reused and the node's index in the view, so a closed view's ids answer ESTALE instead of another view's
/// entries, and nothing here is journaled for a successor daemon (views end with their connections). Lookups read
/// immutable snapshots; opening and closing (rare) copy them.
/// </summary>
internal sealed class ViewTable
{
    /// <summary>The hidden directory in /ro that holds the views (not listed, only looked up).</summary>
    public static ReadOnlySpan<byte> DirectoryName => ".view"u8;

    /// <summary>Open views at once, for all callers together: each holds a merged tree in memory.</summary>
    public const int MaxOpen = 64;

    private static readonly ulong DirectoryNode = NodeIds.ForView(0, 0);

    private readonly Lock _gate = new();
    private Dictionary<uint, ExchangeNode[]> _views = [];
    private ExchangeNode _directory = NewDirectory([]);
    private uint _last;

    /// <summary><c>/ro/.view</c>: one subdirectory per open view.</summary>
    public ExchangeNode Directory => Volatile.Read(ref _directory);

    public int Count => Volatile.Read(ref _views).Count;

    /// <summary>The node <paramref name="node"/> names, or null when its view is closed (or never was).</summary>
    public ExchangeNode? Get(ulong node)
    {
        uint view = NodeIds.ViewNumber(node);
        uint index = NodeIds.ViewIndex(node);
        if (view == 0)
        {
            return index == 0 ? Directory : null;
        }

        return Volatile.Read(ref _views).TryGetValue(view, out var nodes) && index < nodes.Length ? nodes[index] : null;
    }

    /// <summary>Adds <paramref name="tree"/> as a new view; returns its number, or 0 when <see cref="MaxOpen"/> are open.</summary>
    public uint Add(ExchangeTree tree)
    {
        lock (_gate)
        {
            if (_views.Count >= MaxOpen || _last == NodeIds.MaxView)
            {
                return 0;
            }

            uint view = ++_last;
            var roots = tree.Roots.ToArray();
            Array.Sort(roots, (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
            var top = ExchangeNode.Directory(Encoding.ASCII.GetBytes(view.ToString(CultureInfo.InvariantCulture)), roots);
            ExchangeNode[] nodes = [top, .. tree.AllNodes()];
            for (int i = 0; i < nodes.Length; i++)
            {
                nodes[i].NodeId = NodeIds.ForView(view, (uint)i);
            }

            Publish(new Dictionary<uint, ExchangeNode[]>(_views) { [view] = nodes });
            return view;
        }
    }

    /// <summary>Closes view <paramref name="view"/>: its ids answer ESTALE from now on. False if it was not open.</summary>
    public bool Remove(uint view)
    {
        lock (_gate)
        {
            if (!_views.ContainsKey(view))
            {
                return false;
            }

            var remaining = new Dictionary<uint, ExchangeNode[]>(_views);
            remaining.Remove(view);
            Publish(remaining);
            return true;
        }
    }

    /// <summary>The node id of <c>/ro/.view</c>, the parent to invalidate a closed view's name under.</summary>
    public static ulong DirectoryNodeId => DirectoryNode;

    private void Publish(Dictionary<uint, ExchangeNode[]> views)
    {
        Volatile.Write(ref _views, views);
        Volatile.Write(ref _directory, NewDirectory([.. views.Values.Select(v => v[0])]));
    }

    private static ExchangeNode NewDirectory(ExchangeNode[] views)
    {
        Array.Sort(views, (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        var directory = ExchangeNode.Directory(DirectoryName.ToArray(), views);
        directory.NodeId = DirectoryNode;
        return directory;
    }
}
