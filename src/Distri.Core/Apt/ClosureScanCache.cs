using System.Security.Cryptography;
using System.Text;
using Distri.Core.Relocation;

namespace Distri.Core.Apt;

/// <summary>
/// Remembers what <see cref="ClosureRelocator.Scan"/> found for a closure, so that a re-import of an unchanged archive
/// does not read every .deb again (reading 148 .debs was 5 of a no-op re-run's 5.5 s). Scan is a pure function of the
/// members (full name, .deb content, dependencies) and of the relocator's own code, so all of them key the entry: the
/// .debs live in the content-addressed download cache (their path names their sha256), and the relocator assembly's
/// module version id changes with every build of it. An entry is a small text file beside the .debs
/// (<c>CACHE/scans/&lt;key&gt;.unmet</c>, one requirement a line); one that cannot be read is scanned again.
/// </summary>
internal static class ClosureScanCache
{
    public static IReadOnlyList<UnmetRequirement> Scan(string cacheDirectory, IReadOnlyList<ClosurePackage> closure, Action<string> warn)
    {
        string path = Path.Combine(cacheDirectory, "scans", Key(closure) + ".unmet");
        if (TryRead(path) is { } remembered)
        {
            return remembered;
        }

        var unmet = ClosureRelocator.Scan(closure, warn);
        Write(path, unmet);
        return unmet;
    }

    private static string Key(IReadOnlyList<ClosurePackage> closure)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(typeof(ClosureRelocator).Assembly.ManifestModule.ModuleVersionId.ToByteArray());
        foreach (var member in closure.OrderBy(m => m.Name.FullName, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{member.Name.FullName}\t{Path.GetFileName(member.DebPath)}\t{string.Join(' ', member.Dependencies)}\n"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static List<UnmetRequirement>? TryRead(string path)
    {
        try
        {
            var unmet = new List<UnmetRequirement>();
            foreach (string line in File.ReadLines(path))
            {
                string[] fields = line.Split('\t');
                if (fields.Length != 3)
                {
                    return null;
                }

                unmet.Add(new UnmetRequirement(fields[0], fields[1], fields[2]));
            }

            return unmet;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Write(string path, IReadOnlyList<UnmetRequirement> unmet)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temporary = path + ".tmp";
            File.WriteAllLines(temporary, unmet.Select(u => $"{u.NeededBy}\t{u.Kind}\t{u.What}"));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a lost shortcut: the next import scans again.
        }
    }
}
