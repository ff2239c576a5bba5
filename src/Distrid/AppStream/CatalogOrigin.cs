using System.Security.Cryptography;
using System.Text;

namespace Distrid.AppStream;

/// <summary>
/// The AppStream origin a repository's catalog is installed under: <c>distri-</c> and 12 hex digits of the sha256 of
/// the repository URL, so that two repositories never share a catalog file or icon folder, and the name stays the same
/// across restarts. The origin names the files (<c>xml/&lt;origin&gt;.xml.gz</c>, <c>icons/&lt;origin&gt;/</c>).
/// </summary>
public static class CatalogOrigin
{
    public const string Prefix = "distri-";

    public static string For(Uri repository) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository.AbsoluteUri.TrimEnd('/'))))[..12];

    /// <summary>Origins this daemon writes: the prefix and 12 lowercase hex digits (stamp names are checked against it).</summary>
    public static bool IsOurs(string origin) =>
        origin.Length == Prefix.Length + 12 && origin.StartsWith(Prefix, StringComparison.Ordinal)
        && origin.AsSpan(Prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;
}
