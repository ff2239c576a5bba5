using System.IO.Compression;
using System.Security.Cryptography;
using Distri.Core.Debian;

namespace Distri.Core.Apt;

/// <summary>
/// The verification chain of an apt archive: InRelease (or Release + Release.gpg) checked by gpgv against the
/// keyring; every index file (Packages, Contents) checked by the size and SHA256 that the signed Release lists; every
/// .deb by the size and SHA256 that the Packages index lists. Nothing unverified is parsed.
/// </summary>
public sealed class AptArchive
{
    private const long MaxReleaseBytes = 16L << 20;
    private const long MaxIndexBytes = 512L << 20;

    private readonly AptHttp _http;
    private readonly string _suite;

    private readonly string? _indexCache;

    private AptArchive(AptHttp http, string suite, AptRelease release, bool signed, string? indexCache)
    {
        _http = http;
        _suite = suite;
        Release = release;
        Signed = signed;
        _indexCache = indexCache;
    }

    public AptRelease Release { get; }

    public bool Signed { get; }

    /// <summary>
    /// Fetches and verifies dists/SUITE/InRelease, falling back to Release + Release.gpg. Index files are kept in
    /// <paramref name="indexCache"/> by their sha256 so that a re-run against an unchanged archive fetches only the Release.
    /// </summary>
    public static async Task<AptArchive> OpenAsync(AptHttp http, string suite, string keyring, bool allowUnsigned, Action<string> warn, CancellationToken cancellationToken,
        string? indexCache = null)
    {
        string dists = $"dists/{suite}/";
        string text;
        bool signed = true;
        byte[]? inRelease = await http.TryGetAsync(dists + "InRelease", MaxReleaseBytes, cancellationToken).ConfigureAwait(false);
        if (inRelease is not null)
        {
            text = Verify(() => ReleaseVerifier.VerifyInRelease(inRelease, keyring), allowUnsigned, warn, out signed)
                ?? StripClearsign(System.Text.Encoding.UTF8.GetString(inRelease));
        }
        else
        {
            byte[] release = await http.TryGetAsync(dists + "Release", MaxReleaseBytes, cancellationToken).ConfigureAwait(false)
                ?? throw new AptArchiveException($"{http.UrlFor(dists)}: no InRelease or Release file (is '{suite}' a suite of this archive?)");
            byte[]? signature = await http.TryGetAsync(dists + "Release.gpg", MaxReleaseBytes, cancellationToken).ConfigureAwait(false);
            if (signature is null)
            {
                if (!allowUnsigned)
                {
                    throw new AptArchiveException($"{http.UrlFor(dists)}: the archive is not signed (no InRelease or Release.gpg); --allow-unsigned accepts it");
                }

                warn($"{http.UrlFor(dists)}: the archive is not signed; accepted because of --allow-unsigned");
                signed = false;
                text = System.Text.Encoding.UTF8.GetString(release);
            }
            else
            {
                text = Verify(() => ReleaseVerifier.VerifyDetached(release, signature, keyring), allowUnsigned, warn, out signed)
                    ?? System.Text.Encoding.UTF8.GetString(release);
            }
        }

        try
        {
            return new AptArchive(http, suite, AptRelease.Parse(text), signed, indexCache);
        }
        catch (InvalidDataException e)
        {
            throw new AptArchiveException($"{http.UrlFor(dists)}: {e.Message}");
        }
    }

    /// <summary>Reads COMPONENT/binary-ARCH/Packages (.xz, .gz or plain, whichever Release lists first).</summary>
    public async Task<IReadOnlyList<AptPackage>> ReadPackagesAsync(string component, string architecture, CancellationToken cancellationToken)
    {
        string stem = $"{component}/binary-{architecture}/Packages";
        var (file, bytes) = await FetchListedAsync([stem + ".xz", stem + ".gz", stem], cancellationToken).ConfigureAwait(false)
            ?? throw new AptArchiveException($"{_http.UrlFor($"dists/{_suite}/")}: Release lists no {stem}(.xz|.gz) (component '{component}', architecture '{architecture}')");
        try
        {
            using var reader = new StreamReader(Decompress(file.Path, bytes));
            return [.. Deb822Reader.ReadParagraphs(reader, AptPackage.Fields).Select(AptPackage.FromParagraph)];
        }
        catch (InvalidDataException e)
        {
            throw new AptArchiveException($"{file.Path}: {e.Message}");
        }
    }

    /// <summary>The packages shipping each wanted path per the Contents index, or null when the archive has none.</summary>
    public async Task<Dictionary<string, IReadOnlyList<string>>?> FindInContentsAsync(IReadOnlyList<string> components, string architecture, IReadOnlySet<string> wanted, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        bool any = false;
        var stems = components.Select(c => $"{c}/Contents-{architecture}").Append($"Contents-{architecture}").ToList();
        foreach (string stem in stems)
        {
            var listed = await FetchListedAsync([stem + ".gz", stem + ".xz", stem], cancellationToken).ConfigureAwait(false);
            if (listed is not { } fetched)
            {
                continue;
            }

            any = true;
            try
            {
                using var reader = new StreamReader(Decompress(fetched.File.Path, fetched.Bytes));
                foreach (var (path, packages) in ContentsIndex.Find(reader, wanted))
                {
                    found.TryAdd(path, packages);
                }
            }
            catch (InvalidDataException e)
            {
                throw new AptArchiveException($"{fetched.File.Path}: {e.Message}");
            }
        }

        return any ? found : null;
    }

    private async Task<(ReleaseFile File, byte[] Bytes)?> FetchListedAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        foreach (string path in paths)
        {
            if (Release.Find(path) is not { } file)
            {
                continue;
            }

            if (file.Size > MaxIndexBytes)
            {
                throw new AptArchiveException($"{path}: {file.Size} bytes, more than the {MaxIndexBytes} accepted");
            }

            string url = $"dists/{_suite}/{path}";
            string? cached = _indexCache is null ? null : Path.Combine(_indexCache, file.Sha256);
            bool fromCache = cached is not null && File.Exists(cached) && new FileInfo(cached).Length == file.Size;
            byte[] bytes = fromCache
                ? await File.ReadAllBytesAsync(cached!, cancellationToken).ConfigureAwait(false)
                : await _http.TryGetAsync(url, file.Size, cancellationToken).ConfigureAwait(false)
                    ?? throw new AptArchiveException($"{_http.UrlFor(url)}: listed in Release but missing (HTTP 404)");
            // Cached or not, the bytes are checked against the signed Release before use.
            string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (bytes.LongLength != file.Size || sha != file.Sha256)
            {
                throw new AptArchiveException($"{path}: {bytes.LongLength} bytes with SHA256 {sha}, Release says {file.Size} bytes with {file.Sha256}; the archive does not match its signed Release");
            }

            if (cached is not null && !fromCache)
            {
                Directory.CreateDirectory(_indexCache!);
                Repository.AtomicFile.Write(cached, bytes);
            }

            return (file, bytes);
        }

        return null;
    }

    private static Stream Decompress(string path, byte[] bytes)
    {
        var raw = new MemoryStream(bytes, writable: false);
        return path.EndsWith(".xz", StringComparison.Ordinal) ? new XzDecompressionStream(raw)
            : path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress)
            : raw;
    }

    private static string? Verify(Func<string> verify, bool allowUnsigned, Action<string> warn, out bool signed)
    {
        try
        {
            signed = true;
            return verify();
        }
        catch (AptArchiveException e) when (allowUnsigned)
        {
            warn($"{e.Message}; accepted because of --allow-unsigned");
            signed = false;
            return null;
        }
    }

    // The unverified text of a cleartext-signed file, for --allow-unsigned only: the lines between the armor headers.
    private static string StripClearsign(string text)
    {
        int start = text.IndexOf("\n\n", StringComparison.Ordinal);
        int end = text.IndexOf("\n-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal);
        return text.StartsWith("-----BEGIN PGP SIGNED MESSAGE-----", StringComparison.Ordinal) && start > 0 && end > start
            ? text[(start + 2)..end]
            : text;
    }
}
