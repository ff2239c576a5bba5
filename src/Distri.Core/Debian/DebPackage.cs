using System.Formats.Tar;
using System.Text;
using Distri.Core.FileTree;

namespace Distri.Core.Debian;

/// <summary>
/// A Debian binary package file: an ar archive holding debian-binary ("2.x"), control.tar.* and data.tar.*.
/// Opening reads and checks the member table and the control file; the data is read later, streaming.
/// </summary>
public sealed class DebPackage
{
    private const long MaxControlArchiveBytes = 16L << 20;

    private readonly ArMember _data;
    private readonly ArMember _controlMember;

    private DebPackage(string path, DebControl control, ArMember controlMember, ArMember data)
    {
        Path = path;
        Control = control;
        _controlMember = controlMember;
        _data = data;
    }

    public string Path { get; }

    public DebControl Control { get; }

    /// <summary>Opens <paramref name="path"/>; a file that is not a well-formed .deb gives <see cref="InvalidDataException"/>.</summary>
    public static DebPackage Open(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var members = ArArchive.ReadMembers(file);
        if (members.Count == 0 || members[0].Name != "debian-binary")
        {
            throw new InvalidDataException("not a Debian package (the first ar member is not debian-binary)");
        }

        var control = members.FirstOrDefault(m => DebCompression.IsTarMember(m.Name, "control"))
            ?? throw new InvalidDataException("not a Debian package (no control.tar member)");
        var data = members.FirstOrDefault(m => DebCompression.IsTarMember(m.Name, "data"))
            ?? throw new InvalidDataException("not a Debian package (no data.tar member)");
        if (control.Size > MaxControlArchiveBytes)
        {
            throw new InvalidDataException("control.tar is larger than 16 MiB");
        }

        return new DebPackage(path, ReadControl(file, control), control, data);
    }

    /// <summary>
    /// Reads data.tar into a tree with Distrid paths (see <see cref="DebPathMapping"/>). Files larger than
    /// <see cref="DebTreeBuilder.InMemoryLimit"/>, and all once <see cref="DebTreeBuilder.InMemoryBudget"/> is used, are spooled into <paramref name="spoolDirectory"/>, which must
    /// outlive the tree's packing. Things the tree cannot hold are reported through <paramref name="warn"/>.
    /// </summary>
    public SourceDirectory ReadTree(string spoolDirectory, Action<string> warn)
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        using var member = new BufferedStream(new BoundedReadStream(file, _data.Offset, _data.Size), 1 << 16);
        using var tar = DebCompression.Open(_data.Name, member);
        var builder = new DebTreeBuilder(spoolDirectory, warn);
        using var reader = new TarReader(tar);
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                builder.Add(entry);
            }
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{_data.Name}: corrupt tar archive ({e.Message})", e);
        }

        return builder.Finish();
    }

    /// <summary>
    /// The text of the maintainer scripts (preinst, then postinst; each at most 1 MiB), read but never run: the
    /// relocating importer looks in them for what they would have changed.
    /// </summary>
    public string ReadMaintainerScripts()
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        using var bounded = new BoundedReadStream(file, _controlMember.Offset, _controlMember.Size);
        using var tar = DebCompression.Open(_controlMember.Name, bounded);
        using var reader = new TarReader(tar);
        var scripts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                string name = entry.Name.TrimStart('.', '/');
                if (name is "preinst" or "postinst" && entry.DataStream is not null && entry.Length <= 1 << 20)
                {
                    using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                    scripts[name] = text.ReadToEnd();
                }
            }
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{_controlMember.Name}: corrupt tar archive ({e.Message})", e);
        }

        return string.Join("\n", scripts.Values);
    }

    private static DebControl ReadControl(FileStream file, ArMember member)
    {
        using var bounded = new BoundedReadStream(file, member.Offset, member.Size);
        using var tar = DebCompression.Open(member.Name, bounded);
        using var reader = new TarReader(tar);
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name.TrimStart('.', '/') != "control")
                {
                    continue;
                }

                if (entry.DataStream is null || entry.Length > 1 << 20)
                {
                    throw new InvalidDataException("control file is missing or larger than 1 MiB");
                }

                using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                return DebControl.Parse(text.ReadToEnd());
            }
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{member.Name}: corrupt tar archive ({e.Message})", e);
        }

        throw new InvalidDataException($"{member.Name} has no control file");
    }
}
