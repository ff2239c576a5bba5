using System.Text;
using Distri.Core.Debian;
using Distri.Core.FileTree;

namespace Distri.Core.Relocation;

/// <summary>
/// One member of a closure as read from its .deb: its tree in the Distrid layout, every path in it, and what its
/// regular files are (ELF dynamic information, shebang line). Paths are relative, '/'-separated ("bin/perl").
/// </summary>
internal sealed class ClosureMember
{
    private const int ShebangBytes = 256;

    private ClosureMember(ClosurePackage package, DebPackage deb, SourceDirectory root)
    {
        Package = package;
        Deb = deb;
        Root = root;
    }

    public ClosurePackage Package { get; }

    public string FullName => Package.Name.FullName;

    public DebPackage Deb { get; }

    public SourceDirectory Root { get; }

    /// <summary>Every path of the tree and its node ("" is the root).</summary>
    public Dictionary<string, SourceNode> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Regular files that are ELF objects for this machine, by node (hard links share one entry).</summary>
    public Dictionary<SourceNode, ElfDynamicInfo> Elves { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Executable regular files that start with "#!": the first line without "#!", trimmed.</summary>
    public Dictionary<SourceNode, string> Shebangs { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>The maintainer scripts' text (preinst, postinst), for what they would have done.</summary>
    public string MaintainerScripts { get; private set; } = "";

    public static ClosureMember Read(ClosurePackage package, string spoolDirectory, Action<string> warn)
    {
        var deb = DebPackage.Open(package.DebPath);
        string spool = Path.Combine(spoolDirectory, package.Name.FullName);
        Directory.CreateDirectory(spool);
        var root = deb.ReadTree(spool, message => warn($"{deb.Control.Package}: {message}"));
        var member = new ClosureMember(package, deb, root)
        {
            MaintainerScripts = deb.ReadMaintainerScripts(),
        };
        member.Index(root, "");
        return member;
    }

    public static bool IsExecutable(SourceNode node) => (node.Permissions & 0x49) != 0;

    /// <summary>Files under these are documentation: never relocated, never required.</summary>
    public static bool IsDocumentation(string path) =>
        path.StartsWith("share/doc/", StringComparison.Ordinal) || path.StartsWith("share/man/", StringComparison.Ordinal)
        || path.StartsWith("lib/debug/", StringComparison.Ordinal);

    private void Index(SourceDirectory directory, string path)
    {
        Nodes[path] = directory;
        foreach (var entry in directory.Entries)
        {
            string child = path.Length == 0 ? entry.DisplayName : path + "/" + entry.DisplayName;
            if (entry.Node is SourceDirectory sub)
            {
                Index(sub, child);
                continue;
            }

            Nodes[child] = entry.Node;
            if (entry.Node is SourceFile file && !IsDocumentation(child) && !Elves.ContainsKey(file) && !Shebangs.ContainsKey(file))
            {
                Inspect(file);
            }
        }
    }

    private void Inspect(SourceFile file)
    {
        if (file.Length < 4)
        {
            return;
        }

        using var content = file.OpenContent();
        byte[] start = new byte[(int)Math.Min(ShebangBytes, file.Length)];
        content.ReadExactly(start);
        if (ElfDynamicInfo.HasMagic(start))
        {
            using var seekable = content.CanSeek ? content : CopyToMemory(file);
            if (ElfDynamicInfo.Read(seekable) is { } elf && elf.Machine is ElfDynamicInfo.MachineX86_64 or ElfDynamicInfo.MachineAArch64
                && (elf.Interpreter is not null || elf.Needed.Count > 0))
            {
                Elves[file] = elf;
            }
        }
        else if (start[0] == '#' && start[1] == '!' && IsExecutable(file))
        {
            int end = Array.IndexOf(start, (byte)'\n');
            if (end > 0)
            {
                Shebangs[file] = Encoding.UTF8.GetString(start, 2, end - 2).Trim();
            }
        }
    }

    private static MemoryStream CopyToMemory(SourceFile file)
    {
        var memory = new MemoryStream();
        using (var again = file.OpenContent())
        {
            again.CopyTo(memory);
        }

        memory.Position = 0;
        return memory;
    }
}
