using System.Text;
using Distri.Core.Repository;

namespace Distrid.Api.PackageKit;

/// <summary>
/// PackageKit's offline-update files in its state directory (<c>/var/lib/PackageKit</c> unless
/// <c>--packagekit-state</c> says otherwise), in the key-file formats libpackagekit-glib2 reads on the client side:
/// <c>prepared-update</c> (<c>[update] prepared_ids=id,id</c>), written when an ONLY_DOWNLOAD update succeeds, and
/// <c>offline-update-competed</c> (PackageKit's spelling) with the outcome of applying it. Written atomically, read bounded.
/// </summary>
internal sealed class OfflineUpdateFiles(string directory)
{
    public const string ResultsGroup = "PackageKit Offline Update Results";
    private const int MaxFileBytes = 1 << 20;

    public string PreparedPath { get; } = Path.Combine(directory, "prepared-update");

    public string ResultsPath { get; } = Path.Combine(directory, "offline-update-competed");

    public bool Prepared => File.Exists(PreparedPath);

    /// <summary>The prepared package ids, or an empty list when nothing is prepared (or the file is not ours to read).</summary>
    public IReadOnlyList<string> ReadPrepared()
    {
        string? text = ReadBounded(PreparedPath);
        if (text is null)
        {
            return [];
        }

        string? ids = KeyFileValue(text, "update", "prepared_ids");
        return ids is null ? [] : [.. ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    public void WritePrepared(IReadOnlyList<string> ids) =>
        Write(PreparedPath, $"[update]\nprepared_ids={string.Join(',', ids)}\n");

    public void DeletePrepared() => File.Delete(PreparedPath);

    public void WriteSuccess(IReadOnlyList<string> ids) =>
        Write(ResultsPath, $"[{ResultsGroup}]\nSuccess=true\nRole=update-packages\nPackages={string.Join(',', ids)}\n");

    /// <summary><paramref name="errorCode"/> is PackageKit's error name (<c>package-download-failed</c>), as clients parse it.</summary>
    public void WriteFailure(string errorCode, string details) =>
        Write(ResultsPath, $"[{ResultsGroup}]\nSuccess=false\nRole=update-packages\nErrorCode={errorCode}\nErrorDetails={OneLine(details)}\n");

    public void DeleteResults() => File.Delete(ResultsPath);

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text));
    }

    private static string? ReadBounded(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
            return stream.Length > MaxFileBytes ? null : new StreamReader(stream, Encoding.UTF8).ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The value of <paramref name="key"/> in <paramref name="group"/> of a GLib key file (no escapes needed for ids).</summary>
    private static string? KeyFileValue(string text, string group, string key)
    {
        bool inGroup = false;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                inGroup = line[1..^1] == group;
            }
            else if (inGroup && line.StartsWith(key + "=", StringComparison.Ordinal))
            {
                return line[(key.Length + 1)..];
            }
        }

        return null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
