using System.Text.Json;

namespace Distrid.Generations;

/// <summary>
/// <c>&lt;state&gt;/prepared-update.json</c>: the one prepared update, written durably (temporary file, fsync,
/// rename) after its last image was verified, so a crash leaves the previous record or the new one, never a record
/// of images that are not all there.
/// </summary>
public sealed class PreparedUpdateFile(string stateDirectory)
{
    /// <summary>Bigger than any real plan (a few hundred bytes per package); a larger file is not ours.</summary>
    private const long MaximumBytes = 16 << 20;

    public string Path { get; } = System.IO.Path.Combine(stateDirectory, "prepared-update.json");

    /// <summary>The prepared update, or null when none is.</summary>
    /// <exception cref="InvalidDataException">the file exists but is not a prepared update this daemon reads.</exception>
    public PreparedUpdate? Load()
    {
        byte[] bytes;
        try
        {
            using var handle = File.OpenHandle(Path);
            long length = RandomAccess.GetLength(handle);
            if (length > MaximumBytes)
            {
                throw new InvalidDataException($"{Path} is {length} bytes, more than a prepared update can be");
            }

            bytes = new byte[length];
            RandomAccess.Read(handle, bytes, 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        PreparedUpdate? prepared;
        try
        {
            prepared = JsonSerializer.Deserialize(bytes, PreparedUpdateJsonContext.Default.PreparedUpdate);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path} is unreadable: {e.Message}", e);
        }

        return prepared switch
        {
            null => throw new InvalidDataException($"{Path} holds no prepared update"),
            { Format: not PreparedUpdate.CurrentFormat } => throw new InvalidDataException($"{Path} has format {prepared.Format}; this distrid reads format {PreparedUpdate.CurrentFormat}"),
            { Next.Packages: null } or { Images: null } => throw new InvalidDataException($"{Path} lacks its package lists"),
            _ => prepared with { Next = prepared.Next with { Requested = prepared.Next.Requested ?? [], Pins = prepared.Next.Pins ?? new Dictionary<string, string>() } },
        };
    }

    public void Save(PreparedUpdate prepared) =>
        DurableFile.Write(Path, JsonSerializer.SerializeToUtf8Bytes(prepared, PreparedUpdateJsonContext.Default.PreparedUpdate));

    /// <summary>Forgets the prepared update (applied, or superseded by an update that found nothing to do).</summary>
    public void Clear()
    {
        if (File.Exists(Path))
        {
            File.Delete(Path);
            DurableFile.SyncDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }
    }
}
