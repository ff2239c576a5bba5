using System.Diagnostics.CodeAnalysis;
using Distri.Core.Text;

namespace Distri.Core.Packages;

/// <summary>
/// One <c>--with</c> of <c>districtl run</c>: a store package to show first in the exchange directories, either
/// <c>FULLNAME</c> (it takes its name's place: an older revision, a newer one, or a package the current generation
/// does not name) or <c>NAME=FULLNAME</c> (it also takes the place of package NAME, e.g. <c>awk=mawk-amd64-1.3-1</c>
/// instead of gawk). Parsed the same way by the client and the daemon.
/// </summary>
public sealed record PackageChoice(PackageName Package, string? Replaces)
{
    /// <summary>At most this many choices per view: each one is a merge input, and a view is built per call.</summary>
    public const int MaxPerView = 32;

    /// <summary>The form the user wrote, for messages.</summary>
    public override string ToString() => Replaces is null ? Package.FullName : $"{Replaces}={Package.FullName}";

    public static bool TryParse(string? spec, [NotNullWhen(true)] out PackageChoice? choice, [NotNullWhen(false)] out string? error)
    {
        choice = null;
        if (string.IsNullOrEmpty(spec) || spec.Length > 2 * PackageName.MaxFullNameLength)
        {
            error = $"--with '{EchoText.Cap(spec)}': expected FULLNAME or NAME=FULLNAME";
            return false;
        }

        int equals = spec.IndexOf('=', StringComparison.Ordinal);
        string? replaces = equals < 0 ? null : spec[..equals];
        string fullName = equals < 0 ? spec : spec[(equals + 1)..];
        if (replaces is not null && !PackageName.IsValidName(replaces, out error))
        {
            error = $"--with '{EchoText.Cap(spec)}': {error}";
            return false;
        }

        if (!PackageName.TryParse(fullName, out var package, out error))
        {
            error = $"--with '{EchoText.Cap(spec)}': {error}";
            return false;
        }

        // NAME=FULLNAME of FULLNAME's own name says nothing more than FULLNAME.
        choice = new PackageChoice(package, replaces == package.Name ? null : replaces);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses every choice of one view: at most <see cref="MaxPerView"/>, each valid, and no name-arch chosen twice
    /// (which of two revisions would win is not the user's to guess). Null with <paramref name="error"/> otherwise.
    /// </summary>
    public static IReadOnlyList<PackageChoice>? ParseAll(IReadOnlyList<string>? specs, out string? error)
    {
        specs ??= [];
        if (specs.Count > MaxPerView)
        {
            error = $"at most {MaxPerView} --with per run, got {specs.Count}";
            return null;
        }

        var choices = new List<PackageChoice>(specs.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string spec in specs)
        {
            if (!TryParse(spec, out var choice, out error))
            {
                return null;
            }

            if (!seen.Add(choice.Package.NameArch))
            {
                error = $"--with names {choice.Package.NameArch} twice; choose one revision";
                return null;
            }

            choices.Add(choice);
        }

        error = null;
        return choices;
    }
}
