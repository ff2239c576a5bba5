using System.Buffers.Binary;
using System.Text;

namespace Distri.Core.Relocation;

/// <summary>
/// What relocation needs from an ELF file: its machine, the program interpreter (PT_INTERP) and the dynamic
/// section's DT_NEEDED, DT_SONAME, DT_RUNPATH and DT_RPATH. Only 64-bit little-endian files are read (the
/// architectures Distrid imports); every size and offset is bounded before it is used, so a hostile file gives
/// null, never a large read.
/// </summary>
public sealed record ElfDynamicInfo(ushort Machine, string? Interpreter, IReadOnlyList<string> Needed, string? Soname, string? RunPath, string? RPath)
{
    public const ushort MachineX86_64 = 62;
    public const ushort MachineAArch64 = 183;

    private const int MaxProgramHeaders = 512;
    private const int MaxDynamicBytes = 1 << 20;
    private const int MaxStringBytes = 4096;

    /// <summary>True when the content starts with the ELF magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> start) => start.Length >= 4 && start[0] == 0x7F && start[1] == (byte)'E' && start[2] == (byte)'L' && start[3] == (byte)'F';

    /// <summary>Reads a seekable stream holding an ELF file; null when it is not a 64-bit little-endian ELF with sane headers.</summary>
    public static ElfDynamicInfo? Read(Stream elf)
    {
        long length = elf.Length;
        byte[] header = new byte[64];
        if (length < 64 || !ReadAt(elf, 0, header))
        {
            return null;
        }

        if (!HasMagic(header) || header[4] != 2 /* ELFCLASS64 */ || header[5] != 1 /* little endian */)
        {
            return null;
        }

        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32));
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(54));
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(56));
        if (phentsize < 56 || phnum > MaxProgramHeaders || phoff > (ulong)length || (ulong)phentsize * phnum > (ulong)length - phoff)
        {
            return null;
        }

        byte[] table = new byte[phentsize * phnum];
        if (!ReadAt(elf, (long)phoff, table))
        {
            return null;
        }

        string? interpreter = null;
        (ulong Offset, ulong Size)? dynamic = null;
        var loads = new List<(ulong VAddr, ulong Offset, ulong FileSize)>();
        for (int i = 0; i < phnum; i++)
        {
            var entry = table.AsSpan(i * phentsize, phentsize);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            ulong vaddr = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            ulong filesz = BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]);
            switch (type)
            {
                case 1: // PT_LOAD
                    loads.Add((vaddr, offset, filesz));
                    break;
                case 2: // PT_DYNAMIC
                    dynamic = (offset, filesz);
                    break;
                case 3: // PT_INTERP
                    interpreter = ReadString(elf, offset, Math.Min(filesz, MaxStringBytes));
                    if (interpreter is null)
                    {
                        return null;
                    }

                    break;
            }
        }

        if (dynamic is not { } dyn)
        {
            return new ElfDynamicInfo(machine, interpreter, [], null, null, null);
        }

        if (dyn.Size > MaxDynamicBytes || dyn.Offset > (ulong)length || dyn.Size > (ulong)length - dyn.Offset)
        {
            return null;
        }

        byte[] entries = new byte[(int)dyn.Size];
        if (!ReadAt(elf, (long)dyn.Offset, entries))
        {
            return null;
        }

        ulong? strtab = null;
        var needed = new List<ulong>();
        ulong? soname = null, runpath = null, rpath = null;
        for (int i = 0; i + 16 <= entries.Length; i += 16)
        {
            long tag = BinaryPrimitives.ReadInt64LittleEndian(entries.AsSpan(i));
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(i + 8));
            switch (tag)
            {
                case 0: // DT_NULL
                    i = entries.Length;
                    break;
                case 1:
                    needed.Add(value);
                    break;
                case 5:
                    strtab = value;
                    break;
                case 14:
                    soname = value;
                    break;
                case 15:
                    rpath = value;
                    break;
                case 29:
                    runpath = value;
                    break;
            }
        }

        if (strtab is not { } strtabAddress)
        {
            return new ElfDynamicInfo(machine, interpreter, [], null, null, null);
        }

        // DT_STRTAB holds a virtual address; the PT_LOAD segment that covers it says where that is in the file.
        var segment = loads.FirstOrDefault(l => strtabAddress >= l.VAddr && strtabAddress - l.VAddr < l.FileSize);
        if (segment.FileSize == 0)
        {
            return null;
        }

        ulong strtabOffset = segment.Offset + (strtabAddress - segment.VAddr);
        string? At(ulong? index) => index is { } v ? ReadString(elf, strtabOffset + v, MaxStringBytes) : null;
        var names = new List<string>(needed.Count);
        foreach (ulong n in needed)
        {
            if (At(n) is not { } name)
            {
                return null;
            }

            names.Add(name);
        }

        return new ElfDynamicInfo(machine, interpreter, names, At(soname), At(runpath), At(rpath));
    }

    private static string? ReadString(Stream elf, ulong offset, ulong max)
    {
        if (offset >= (ulong)elf.Length)
        {
            return null;
        }

        int count = (int)Math.Min(max, (ulong)elf.Length - offset);
        byte[] buffer = new byte[count];
        if (!ReadAt(elf, (long)offset, buffer))
        {
            return null;
        }

        int end = Array.IndexOf(buffer, (byte)0);
        return end < 0 ? null : Encoding.UTF8.GetString(buffer, 0, end);
    }

    private static bool ReadAt(Stream stream, long offset, byte[] buffer)
    {
        stream.Position = offset;
        try
        {
            stream.ReadExactly(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
