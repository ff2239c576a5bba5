using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Images;

namespace Distrid.FileSystem;

/// <summary>
/// What /ro shows at one moment: one directory per store image and the exchange directories of the current
/// generation. Immutable; a new generation publishes a new namespace in one reference swap, so a reader sees
/// either the old or the new one, never half of each.
/// </summary>
internal sealed class RoNamespace
{
    public RoNamespace(IReadOnlyList<ImageHandle> images, ExchangeTree exchange, IReadOnlyList<(string FullName, string Error)> broken, long storeBytes)
    {
        var entries = new List<RootEntry>(images.Count + exchange.Roots.Count);
        entries.AddRange(exchange.Roots.Select(r => new RootEntry(r.Name, r, null)));
        entries.AddRange(images.Select(i => new RootEntry(System.Text.Encoding.UTF8.GetBytes(i.FullName), null, i)));
        entries.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        Entries = [.. entries];
        Exchange = exchange;
        Broken = broken;
        StoreBytes = storeBytes;
        PackageCount = images.Count;
        PublishedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public static RoNamespace Empty { get; } = new([], ExchangeTree.Empty, [], 0);

    /// <summary>The root's entries, sorted bytewise by name.</summary>
    public RootEntry[] Entries { get; }

    public ExchangeTree Exchange { get; }

    /// <summary>Images that could not be read; they keep their /ro/&lt;fullname&gt; (reads fail with EIO).</summary>
    public IReadOnlyList<(string FullName, string Error)> Broken { get; }

    public long StoreBytes { get; }

    public int PackageCount { get; }

    /// <summary>When this namespace was published: the mtime of /ro and of the exchange directories.</summary>
    public long PublishedAt { get; }

    public RootEntry? Find(ReadOnlySpan<byte> name) => SortedNames.Find(Entries, name);
}

/// <summary>A name in /ro: an exchange directory or a package image.</summary>
internal sealed record RootEntry(byte[] Name, ExchangeNode? Exchange, ImageHandle? Image) : INamed;
