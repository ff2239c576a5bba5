using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Distri.Core.Text;

namespace Distri.Core.Packages;

/// <summary>
/// A package full name, <c>&lt;name&gt;-&lt;arch&gt;-&lt;version&gt;-&lt;revision&gt;</c> (e.g. <c>zsh-amd64-5.9-3</c>).
/// The name may contain '-', the version may not, the revision is a positive integer. The full name is used as a
/// file name and a path component under /ro, so every part is restricted to a safe character set.
/// </summary>
public sealed record PackageName(string Name, string Arch, string Version, int Revision) : IComparable<PackageName>
{
    /// <summary>Architectures a package may be built for.</summary>
    public static readonly IReadOnlyList<string> Architectures = ["amd64", "arm64", "i686"];

    public const int MaxFullNameLength = 200;

    public string FullName => $"{Name}-{Arch}-{Version}-{Revision.ToString(CultureInfo.InvariantCulture)}";

    /// <summary><c>name-arch</c>: the key under which revisions of one package replace each other.</summary>
    public string NameArch => $"{Name}-{Arch}";

    public override string ToString() => FullName;

    /// <summary>Orders by name, then arch, then revision: for one name the highest revision is the newest.</summary>
    public int CompareTo(PackageName? other)
    {
        if (other is null)
        {
            return 1;
        }

        int c = string.CompareOrdinal(Name, other.Name);
        if (c == 0)
        {
            c = string.CompareOrdinal(Arch, other.Arch);
        }

        return c != 0 ? c : Revision.CompareTo(other.Revision);
    }

    public static PackageName Parse(string fullName) =>
        TryParse(fullName, out var name, out string? error) ? name : throw new FormatException(error);

    /// <summary>Parses a full name, explaining in <paramref name="error"/> what is wrong with a bad one.</summary>
    public static bool TryParse(string? fullName, [NotNullWhen(true)] out PackageName? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        if (string.IsNullOrEmpty(fullName) || fullName.Length > MaxFullNameLength)
        {
            error = $"'{EchoText.Cap(fullName)}' is not a package full name (expected name-arch-version-revision)";
            return false;
        }

        // Scan from the right: revision, version, arch; what remains is the name (which may contain '-').
        int revDash = fullName.LastIndexOf('-');
        int verDash = revDash > 0 ? fullName.LastIndexOf('-', revDash - 1) : -1;
        int archDash = verDash > 0 ? fullName.LastIndexOf('-', verDash - 1) : -1;
        if (archDash <= 0)
        {
            error = $"'{EchoText.Cap(fullName)}' is not a package full name (expected name-arch-version-revision)";
            return false;
        }

        string baseName = fullName[..archDash];
        string arch = fullName[(archDash + 1)..verDash];
        string version = fullName[(verDash + 1)..revDash];
        string revision = fullName[(revDash + 1)..];
        if (!IsValidName(baseName, out error) || !IsValidArch(arch, out error) || !IsValidVersion(version, out error)
            || !TryParseRevision(revision, out int rev, out error))
        {
            error = $"'{EchoText.Cap(fullName)}': {error}";
            return false;
        }

        name = new PackageName(baseName, arch, version, rev);
        return true;
    }

    /// <summary>Builds a full name from parts, validating each.</summary>
    public static PackageName Create(string name, string arch, string version, int revision)
    {
        if (!IsValidName(name, out string? error) || !IsValidArch(arch, out error) || !IsValidVersion(version, out error))
        {
            throw new FormatException(error);
        }

        if (revision <= 0)
        {
            throw new FormatException($"revision must be a positive integer, not {revision}");
        }

        var result = new PackageName(name, arch, version, revision);
        return result.FullName.Length <= MaxFullNameLength
            ? result
            : throw new FormatException($"full name is longer than {MaxFullNameLength} characters");
    }

    public static bool IsValidName(string name, [NotNullWhen(false)] out string? error)
    {
        // Must start with a letter or digit so that it never reads as an option or a hidden file.
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(IsNameChar))
        {
            error = $"invalid package name '{EchoText.Cap(name)}' (letters, digits, '+', '.', '_' and '-', starting with a letter or digit)";
            return false;
        }

        error = null;
        return true;
    }

    public static bool IsValidArch(string arch, [NotNullWhen(false)] out string? error)
    {
        error = Architectures.Contains(arch) ? null : $"unknown architecture '{arch}' (one of {string.Join(", ", Architectures)})";
        return error is null;
    }

    public static bool IsValidVersion(string version, [NotNullWhen(false)] out string? error)
    {
        if (version.Length == 0 || !char.IsAsciiLetterOrDigit(version[0]) || !version.All(c => c != '-' && IsNameChar(c)))
        {
            error = $"invalid version '{EchoText.Cap(version)}' (letters, digits, '+', '.', '_' and '~', no '-')";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryParseRevision(string text, out int revision, [NotNullWhen(false)] out string? error)
    {
        if (text.Length is > 0 and <= 9 && text.All(char.IsAsciiDigit) && text[0] != '0'
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out revision))
        {
            error = null;
            return true;
        }

        revision = 0;
        error = $"invalid revision '{EchoText.Cap(text)}' (a positive integer)";
        return false;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '.' or '_' or '-' or '~';
}
