namespace Distri.Core.SquashFs.Reading.Caching;

/// <summary>
/// A byte-bounded LRU cache split into independently locked stripes, so concurrent FUSE readers of different blocks
/// rarely contend. A hit costs one dictionary lookup and a list splice under the stripe lock, and allocates nothing.
/// </summary>
internal sealed class StripedLruCache<TKey, TValue>
    where TKey : notnull, IEquatable<TKey>
    where TValue : class, ICacheEntry
{
    private readonly Stripe[] _stripes;
    private readonly int _stripeMask;

    /// <param name="capacityBytes">Total budget, split evenly over the stripes.</param>
    /// <param name="stripeCount">Most stripes to use (fewer when the budget is small).</param>
    /// <param name="largestEntry">Weight of the largest entry: every stripe keeps room for several of them, or a small
    /// cache with many stripes would refuse every block.</param>
    public StripedLruCache(long capacityBytes, int stripeCount, long largestEntry)
    {
        int count = (int)Math.Min(stripeCount, Math.Max(1, capacityBytes / (4 * Math.Max(1, largestEntry))));
        count = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, count));
        _stripes = new Stripe[count];
        for (int i = 0; i < count; i++)
        {
            _stripes[i] = new Stripe(Math.Max(0, capacityBytes / count));
        }

        _stripeMask = count - 1;
    }

    /// <summary>Finds a value; on success the caller owns one reference and must <see cref="ICacheEntry.Release"/> it.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        Stripe stripe = StripeFor(key);
        lock (stripe)
        {
            if (stripe.Map.TryGetValue(key, out Node? node))
            {
                stripe.MoveToFront(node);
                node.Value.AddRef();
                value = node.Value;
                return true;
            }
        }

        value = null!;
        return false;
    }

    /// <summary>Offers a fresh value (owned by the caller) to the cache. Returns the value the caller should use: the
    /// fresh one, or one another thread cached first, in which case the caller releases its fresh value itself. Either
    /// way the caller owns one reference to the returned value.</summary>
    public TValue AddOrGet(TKey key, TValue fresh)
    {
        Stripe stripe = StripeFor(key);
        if (fresh.Weight > stripe.Budget)
        {
            return fresh;
        }

        lock (stripe)
        {
            if (stripe.Map.TryGetValue(key, out Node? existing))
            {
                stripe.MoveToFront(existing);
                existing.Value.AddRef();
                return existing.Value;
            }

            fresh.AddRef();
            var node = new Node(key, fresh);
            stripe.Map.Add(key, node);
            stripe.PushFront(node);
            stripe.Bytes += fresh.Weight;
            while (stripe.Bytes > stripe.Budget && stripe.Tail is { } victim && victim != node)
            {
                stripe.Unlink(victim);
                stripe.Map.Remove(victim.Key);
                stripe.Bytes -= victim.Value.Weight;
                victim.Value.Release();
            }

            return fresh;
        }
    }

    /// <summary>Drops every entry (on dispose of the image).</summary>
    public void Clear()
    {
        foreach (Stripe stripe in _stripes)
        {
            lock (stripe)
            {
                foreach (Node node in stripe.Map.Values)
                {
                    node.Value.Release();
                }

                stripe.Map.Clear();
                stripe.Head = null;
                stripe.Tail = null;
                stripe.Bytes = 0;
            }
        }
    }

    private Stripe StripeFor(TKey key)
    {
        // Mix the hash so that sequential block positions spread over the stripes.
        uint hash = (uint)key.GetHashCode() * 0x9E3779B1u;
        return _stripes[(int)(hash >> 16) & _stripeMask];
    }

    private sealed class Node(TKey key, TValue value)
    {
        public readonly TKey Key = key;
        public readonly TValue Value = value;
        public Node? Previous;
        public Node? Next;
    }

    private sealed class Stripe(long budget)
    {
        public readonly Dictionary<TKey, Node> Map = [];
        public readonly long Budget = budget;
        public Node? Head;
        public Node? Tail;
        public long Bytes;

        public void PushFront(Node node)
        {
            node.Previous = null;
            node.Next = Head;
            if (Head is not null)
            {
                Head.Previous = node;
            }

            Head = node;
            Tail ??= node;
        }

        public void Unlink(Node node)
        {
            if (node.Previous is not null)
            {
                node.Previous.Next = node.Next;
            }
            else
            {
                Head = node.Next;
            }

            if (node.Next is not null)
            {
                node.Next.Previous = node.Previous;
            }
            else
            {
                Tail = node.Previous;
            }

            node.Previous = null;
            node.Next = null;
        }

        public void MoveToFront(Node node)
        {
            if (Head != node)
            {
                Unlink(node);
                PushFront(node);
            }
        }
    }
}
