using System.Text;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Images;

namespace Distrid.FileSystem;

/// <summary>
/// Records what the node ids of /ro mean, so that a successor daemon serving the same FUSE connection resolves every
/// id the kernel still holds to the same file. Two tables give ids and both are append-only for a connection's
/// life: <see cref="ImageTable"/> (slot per full name, in order of first use) and <see cref="ExchangeNodeTable"/>
/// (one index per exchange-tree node, every published generation's tree appended). Rather than making the ids
/// deterministic (a hash of the full name would need collision handling, and exchange nodes of older generations
/// would still need their trees), the journal appends exactly what was assigned, in order, and
/// <see cref="Restore"/> replays it into empty tables. It knows nothing of where the bytes are kept.
/// </summary>
/// <remarks>
/// Records: <c>u8 kind</c> then the body. Image slot (1): <c>i32 slot, str fullName, str path</c>. Exchange nodes
/// (2): <c>i32 first index, i32 count</c>, then per node in index order <c>u8 type</c> (0 directory, 1 link),
/// <c>bytes name</c>, and for a directory <c>i32 children</c> + their indices (each above the node's own, within
/// the record: trees are registered parents first), for a link <c>bytes target, str owner</c>.
/// </remarks>
internal sealed class NodeIdJournal(ImageTable images, ExchangeNodeTable exchangeNodes)
{
    private const byte ImageSlotRecord = 1;
    private const byte ExchangeRecord = 2;
    private const byte DirectoryNode = 0;
    private const byte LinkNode = 1;

    /// <summary>Longest name, target or string a record may carry (PATH_MAX); longer means corrupt.</summary>
    private const int MaxBytes = 4096;

    private int _journaledSlots = 1;
    private int _journaledExchange = 1;

    /// <summary>
    /// Encodes every slot and exchange node assigned since the last call (empty when nothing is new). Call it after
    /// a namespace is built and before it is published, so the kernel can never hold an id that is not journaled.
    /// </summary>
    public byte[] TakeNewRecords()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            int nextSlot = images.NextSlot;
            for (; _journaledSlots < nextSlot; _journaledSlots++)
            {
                var handle = images.Get(_journaledSlots)!;
                writer.Write(ImageSlotRecord);
                writer.Write(handle.Slot);
                writer.Write(handle.FullName);
                writer.Write(handle.Path);
            }

            int count = exchangeNodes.Count;
            if (_journaledExchange < count)
            {
                WriteExchange(writer, _journaledExchange, count);
                _journaledExchange = count;
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Replays <paramref name="records"/> into the (still empty) tables. Throws <see cref="InvalidDataException"/>
    /// on anything malformed; the tables may then be partly filled and the caller must not use them for a resume.
    /// </summary>
    public void Restore(ReadOnlySpan<byte> records)
    {
        if (images.NextSlot != 1 || exchangeNodes.Count != 1)
        {
            throw new InvalidOperationException("node ids can only be restored into empty tables");
        }

        using var stream = new MemoryStream(records.ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            while (stream.Position < stream.Length)
            {
                switch (reader.ReadByte())
                {
                    case ImageSlotRecord:
                        images.Restore(reader.ReadInt32(), ReadString(reader), ReadString(reader));
                        break;
                    case ExchangeRecord:
                        ReadExchange(reader);
                        break;
                    default:
                        throw new InvalidDataException("unknown node id record");
                }
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("truncated node id record", e);
        }

        _journaledSlots = images.NextSlot;
        _journaledExchange = exchangeNodes.Count;
    }

    private void WriteExchange(BinaryWriter writer, int first, int end)
    {
        writer.Write(ExchangeRecord);
        writer.Write(first);
        writer.Write(end - first);
        for (int index = first; index < end; index++)
        {
            var node = exchangeNodes.At(index);
            writer.Write(node.IsDirectory ? DirectoryNode : LinkNode);
            WriteBytes(writer, node.Name);
            if (node.IsDirectory)
            {
                writer.Write(node.Children.Length);
                foreach (var child in node.Children)
                {
                    writer.Write(NodeIds.ExchangeIndex(child.NodeId));
                }
            }
            else
            {
                WriteBytes(writer, node.LinkTarget!);
                writer.Write(node.Owner!);
            }
        }
    }

    private void ReadExchange(BinaryReader reader)
    {
        int first = reader.ReadInt32();
        int count = reader.ReadInt32();
        long remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        // Every node takes at least 5 bytes, so a count beyond that is corrupt (and must not size an array).
        if (first != exchangeNodes.Count || count <= 0 || count > remaining / 5)
        {
            throw new InvalidDataException("exchange node record out of order or too large");
        }

        // Children come after their parent, so build from the last node back to the first.
        var types = new byte[count];
        var names = new byte[count][];
        var targets = new byte[]?[count];
        var owners = new string?[count];
        var children = new int[]?[count];
        for (int i = 0; i < count; i++)
        {
            types[i] = reader.ReadByte();
            names[i] = ReadBytes(reader);
            if (types[i] == DirectoryNode)
            {
                int childCount = reader.ReadInt32();
                if (childCount < 0 || childCount > count - i - 1)
                {
                    throw new InvalidDataException("exchange directory with an impossible child count");
                }

                var indices = new int[childCount];
                for (int c = 0; c < childCount; c++)
                {
                    indices[c] = reader.ReadInt32() - first;
                    if (indices[c] <= i || indices[c] >= count)
                    {
                        throw new InvalidDataException("exchange child outside its tree");
                    }
                }

                children[i] = indices;
            }
            else if (types[i] == LinkNode)
            {
                targets[i] = ReadBytes(reader);
                owners[i] = ReadString(reader);
            }
            else
            {
                throw new InvalidDataException("unknown exchange node type");
            }
        }

        var nodes = new ExchangeNode[count];
        for (int i = count - 1; i >= 0; i--)
        {
            nodes[i] = types[i] == DirectoryNode
                ? ExchangeNode.Directory(names[i], [.. children[i]!.Select(c => nodes[c])])
                : ExchangeNode.Link(names[i], targets[i]!, owners[i]!);
        }

        for (int i = 0; i < count; i++)
        {
            exchangeNodes.Restore(first + i, nodes[i]);
        }
    }

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > MaxBytes)
        {
            throw new InvalidDataException("exchange name or target too long");
        }

        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new EndOfStreamException();
    }

    private static string ReadString(BinaryReader reader)
    {
        // BinaryReader's own 7-bit length prefix; bound it before it sizes anything.
        string value = reader.ReadString();
        return value.Length <= MaxBytes ? value : throw new InvalidDataException("string too long in node id record");
    }
}
