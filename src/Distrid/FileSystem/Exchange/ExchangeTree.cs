namespace Distrid.FileSystem.Exchange;

/// <summary>The merged exchange directories of one generation, with the conflicts found while merging.</summary>
public sealed class ExchangeTree(IReadOnlyList<ExchangeNode> roots, IReadOnlyList<ExchangeConflict> conflicts)
{
    public static readonly ExchangeTree Empty = new([], []);

    /// <summary>The top-level exchange directories that at least one package provides (bin, lib, ...).</summary>
    public IReadOnlyList<ExchangeNode> Roots { get; } = roots;

    public IReadOnlyList<ExchangeConflict> Conflicts { get; } = conflicts;

    /// <summary>Every node, parents before children (for assigning node ids).</summary>
    public IEnumerable<ExchangeNode> AllNodes()
    {
        var stack = new Stack<ExchangeNode>(Roots.Reverse());
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            for (int i = node.Children.Length - 1; i >= 0; i--)
            {
                stack.Push(node.Children[i]);
            }
        }
    }
}
