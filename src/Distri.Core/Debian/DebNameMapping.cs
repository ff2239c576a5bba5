using System.Text;
using Distri.Core.Packages;

namespace Distri.Core.Debian;

/// <summary>
/// Debian names to Distrid names.
/// <list type="bullet">
/// <item>Name: kept; any character outside [A-Za-z0-9+._-] becomes '_' (Debian names already fit).</item>
/// <item>Version: the upstream part only. The epoch ("1:") and the Debian revision (after the last '-') are
/// dropped, remaining '-' and any other character outside [A-Za-z0-9+._] (e.g. '~', ':') become '_':
/// <c>1:2.3-4+deb12u1</c> → <c>2.3</c>, <c>1.0~rc1-2</c> → <c>1.0_rc1</c>. The revision is the caller's
/// (<c>--revision</c>, default 1), because Debian revisions are not integers that order like ours.</item>
/// <item>Architecture: amd64 and all → amd64, arm64 → arm64, i386 → i686; anything else is refused.</item>
/// </list>
/// </summary>
public static class DebNameMapping
{
    public static PackageName ToPackageName(DebControl control, int revision) =>
        PackageName.Create(MapName(control.Package), MapArchitecture(control.Architecture), MapVersion(control.Version), revision);

    public static string MapName(string debianName) => Sanitize(debianName, allowDash: true);

    public static string MapVersion(string debianVersion)
    {
        string version = debianVersion.Trim();
        int colon = version.IndexOf(':');
        if (colon >= 0)
        {
            version = version[(colon + 1)..];
        }

        int dash = version.LastIndexOf('-');
        if (dash > 0)
        {
            version = version[..dash];
        }

        return Sanitize(version, allowDash: false);
    }

    public static string MapArchitecture(string debianArchitecture) => debianArchitecture switch
    {
        "amd64" or "all" => "amd64",
        "arm64" => "arm64",
        "i386" => "i686",
        _ => throw new InvalidDataException($"unsupported Debian architecture '{debianArchitecture}' (amd64, all, arm64 or i386)"),
    };

    private static string Sanitize(string value, bool allowDash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            bool ok = char.IsAsciiLetterOrDigit(c) || c is '+' or '.' or '_' || (allowDash && c == '-');
            builder.Append(ok ? c : '_');
        }

        if (builder.Length == 0 || !char.IsAsciiLetterOrDigit(builder[0]))
        {
            builder.Insert(0, '0');
        }

        return builder.ToString();
    }
}
