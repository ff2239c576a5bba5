using System.Buffers.Binary;

namespace Distrid.Bench.Fuzz;

/// <summary>
/// Makes hostile variants of a valid image: bit flips (anywhere, or in the metadata tables), truncations, corrupted
/// superblock fields (table pointers, counts, sizes), corrupted lookup-table indexes, "interesting" integers written
/// over metadata words, copied chunks (duplicate structures, cycles) and corrupted metadata block headers.
/// Deterministic for a given seed, so every finding can be reproduced.
/// </summary>
public sealed class ImageMutator(int seed)
{
    private static readonly int[] SuperblockFields32 = [4, 12, 16];
    private static readonly int[] SuperblockFields16 = [20, 22, 24, 26];
    private static readonly int[] SuperblockFields64 = [32, 40, 48, 56, 64, 72, 80, 88];
    private static readonly int[] TableFields = [48, 56, 80, 88];

    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] original, out string description)
    {
        byte[] image = (byte[])original.Clone();
        var steps = new List<string>();
        int count = 1 + _random.Next(3);
        for (int i = 0; i < count && image.Length > 96; i++)
        {
            steps.Add(MutateOnce(ref image));
        }

        description = string.Join("; ", steps);
        return image;
    }

    private string MutateOnce(ref byte[] image)
    {
        long tables = Math.Clamp((long)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(64)), 96, image.Length - 1);
        switch (_random.Next(8))
        {
            case 0:
                return FlipBits(image, 0, image.Length);
            case 1:
                return FlipBits(image, (int)tables, image.Length);
            case 2:
                {
                    int length = _random.Next(2) == 0 ? _random.Next(image.Length) : (int)tables + _random.Next((int)(image.Length - tables));
                    image = image.AsSpan(0, length).ToArray();
                    return $"truncate to {length}";
                }

            case 3:
                return CorruptSuperblock(image);
            case 4:
                {
                    int offset = (int)tables + _random.Next((int)(image.Length - tables));
                    int width = 2 << _random.Next(3);
                    offset = Math.Min(offset & ~(width - 1), image.Length - width);
                    WriteInteresting(image, offset, width);
                    return $"interesting u{width * 8} at {offset}";
                }

            case 5:
                return CorruptTableIndex(image);
            case 6:
                {
                    int length = 1 + _random.Next(64);
                    int from = (int)tables + _random.Next((int)(image.Length - tables));
                    int to = (int)tables + _random.Next((int)(image.Length - tables));
                    length = Math.Min(length, Math.Min(image.Length - from, image.Length - to));
                    image.AsSpan(from, length).CopyTo(image.AsSpan(to));
                    return $"copy {length} bytes {from}->{to}";
                }

            default:
                return CorruptMetadataHeader(image, tables);
        }
    }

    private string FlipBits(byte[] image, int start, int end)
    {
        if (end <= start)
        {
            return "no flip";
        }

        int flips = 1 + _random.Next(8);
        for (int i = 0; i < flips; i++)
        {
            image[start + _random.Next(end - start)] ^= (byte)(1 << _random.Next(8));
        }

        return $"{flips} bit flips in [{start},{end})";
    }

    private string CorruptSuperblock(byte[] image)
    {
        int pick = _random.Next(SuperblockFields16.Length + SuperblockFields32.Length + SuperblockFields64.Length);
        if (pick < SuperblockFields16.Length)
        {
            WriteInteresting(image, SuperblockFields16[pick], 2);
            return $"superblock u16 @{SuperblockFields16[pick]}";
        }

        pick -= SuperblockFields16.Length;
        if (pick < SuperblockFields32.Length)
        {
            WriteInteresting(image, SuperblockFields32[pick], 4);
            return $"superblock u32 @{SuperblockFields32[pick]}";
        }

        int field = SuperblockFields64[pick - SuperblockFields32.Length];
        if (_random.Next(2) == 0)
        {
            // Point the field at another table, or nudge it: plausible values get past the superblock checks.
            ulong other = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(SuperblockFields64[_random.Next(SuperblockFields64.Length)]));
            ulong nudged = other + (ulong)(long)_random.Next(-16, 17);
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(field), nudged);
            return $"superblock u64 @{field} = {nudged}";
        }

        WriteInteresting(image, field, 8);
        return $"superblock u64 @{field}";
    }

    private string CorruptTableIndex(byte[] image)
    {
        int field = TableFields[_random.Next(TableFields.Length)];
        ulong start = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(field));
        if (start == ulong.MaxValue || start + 8 > (ulong)image.Length)
        {
            return FlipBits(image, 0, image.Length);
        }

        int slot = (int)start + (8 * _random.Next(3));
        if (slot + 8 > image.Length)
        {
            slot = (int)start;
        }

        WriteInteresting(image, slot, _random.Next(2) == 0 ? 8 : 4);
        return $"table index word at {slot} (table @{field})";
    }

    private string CorruptMetadataHeader(byte[] image, long inodeTable)
    {
        // Walk the chain of metadata headers from the inode table and corrupt one of the first few.
        long position = inodeTable;
        int target = _random.Next(16);
        for (int i = 0; i < target && position + 2 <= image.Length; i++)
        {
            int size = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan((int)position)) & 0x7FFF;
            if (size == 0)
            {
                break;
            }

            position += 2 + size;
        }

        if (position + 2 > image.Length)
        {
            return "no header";
        }

        WriteInteresting(image, (int)position, 2);
        return $"metadata header at {position}";
    }

    private void WriteInteresting(byte[] image, int offset, int width)
    {
        ulong[] values =
        [
            0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x100, 0x1FF, 0x1FFF, 0x2000, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x1000000,
            0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, (ulong)image.Length - 1, (ulong)image.Length, (ulong)image.Length + 1,
            ulong.MaxValue, (ulong)_random.NextInt64(), (ulong)_random.Next(image.Length),
        ];
        ulong value = values[_random.Next(values.Length)];
        Span<byte> target = image.AsSpan(offset, width);
        switch (width)
        {
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)value);
                break;
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)value);
                break;
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(target, value);
                break;
        }
    }
}
