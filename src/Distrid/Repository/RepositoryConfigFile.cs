using System.Text.Json;
using Distri.Core.Repository;

namespace Distrid.Repository;

/// <summary>
/// The repositories' part of the daemon's JSON config file: <c>"repos"</c> (enabled, in order) and
/// <c>"disabledRepos"</c>. A change rewrites the file token by token, replacing only those two values: every other
/// setting, unknown keys and comments (it is a dpkg conffile that people annotate) stay as they were; the layout is
/// re-indented and // comments come back as /* */. The new file replaces the old one atomically (temporary file, fsync, rename, fsync of the directory).
/// A file that cannot be read as a JSON object is never replaced: the change stops with one line.
/// </summary>
public sealed class RepositoryConfigFile(string path)
{
    public const string ReposKey = "repos";
    public const string DisabledReposKey = "disabledRepos";

    /// <summary>A config file is a few hundred bytes; this bounds what a change reads.</summary>
    public const long MaxSize = 1 << 20;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Allow,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    public string Path => path;

    /// <summary>The enabled and disabled repository URLs as the file has them (empty when the file does not exist).</summary>
    public (List<string> Enabled, List<string> Disabled) Read()
    {
        byte[] bytes = Load();
        var enabled = new List<string>();
        var disabled = new List<string>();
        if (bytes.Length == 0)
        {
            return (enabled, disabled);
        }

        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            if (name is ReposKey or DisabledReposKey)
            {
                ReadStrings(ref reader, name, name == ReposKey ? enabled : disabled);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return (enabled, disabled);
    }

    /// <summary>Writes <paramref name="enabled"/> and <paramref name="disabled"/> into the file, keeping everything else.</summary>
    public void Write(IReadOnlyList<string> enabled, IReadOnlyList<string> disabled)
    {
        byte[] bytes = Load();
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (bytes.Length == 0)
            {
                writer.WriteStartObject();
                WriteLists(writer, enabled, disabled, []);
                writer.WriteEndObject();
            }
            else
            {
                Rewrite(bytes, writer, enabled, disabled);
            }
        }

        output.WriteByte((byte)'\n');
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        AtomicFile.Write(path, output.ToArray());
    }

    private void Rewrite(byte[] bytes, Utf8JsonWriter writer, IReadOnlyList<string> enabled, IReadOnlyList<string> disabled)
    {
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        var written = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1 && reader.GetString() is ReposKey or DisabledReposKey:
                    string name = reader.GetString()!;
                    writer.WritePropertyName(name);
                    WriteArray(writer, name == ReposKey ? enabled : disabled);
                    written.Add(name);
                    Next(ref reader);
                    reader.Skip();
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == 0:
                    WriteLists(writer, enabled, disabled, written);
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    writer.WritePropertyName(reader.GetString()!);
                    break;
                case JsonTokenType.Comment:
                    // Utf8JsonWriter writes every comment as /* */: a // comment holding "*/" must not end it early.
                    writer.WriteCommentValue(reader.GetComment().Replace("*/", "* /", StringComparison.Ordinal));
                    break;
                case JsonTokenType.String:
                    writer.WriteStringValue(reader.GetString());
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    writer.WriteBooleanValue(reader.GetBoolean());
                    break;
                case JsonTokenType.Null:
                    writer.WriteNullValue();
                    break;
            }
        }
    }

    /// <summary>The lists not yet written (the file had no such key); an empty disabled list is left out.</summary>
    private static void WriteLists(Utf8JsonWriter writer, IReadOnlyList<string> enabled, IReadOnlyList<string> disabled, HashSet<string> written)
    {
        if (!written.Contains(ReposKey))
        {
            writer.WritePropertyName(ReposKey);
            WriteArray(writer, enabled);
        }

        if (!written.Contains(DisabledReposKey) && disabled.Count > 0)
        {
            writer.WritePropertyName(DisabledReposKey);
            WriteArray(writer, disabled);
        }
    }

    private static void WriteArray(Utf8JsonWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteStartArray();
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>The file's bytes, validated as one JSON object (empty when the file does not exist).</summary>
    private byte[] Load()
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return [];
            }

            if (info.Length > MaxSize)
            {
                throw new RepositoryException($"{path}: {info.Length} bytes, over the limit of {MaxSize} for a config file; not replacing it");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RepositoryException($"{path}: cannot read the config file ({e.Message}); not replacing it", e);
        }

        try
        {
            var reader = new Utf8JsonReader(bytes, ReaderOptions);
            Expect(ref reader, JsonTokenType.StartObject);
            reader.Skip();
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.Comment)
                {
                    throw new JsonException("more than one JSON value");
                }
            }
        }
        catch (JsonException e)
        {
            throw new RepositoryException($"{path}: not a JSON object ({e.Message.ReplaceLineEndings(" ")}); fix or remove it, nothing was changed", e);
        }

        return bytes;
    }

    private static void ReadStrings(ref Utf8JsonReader reader, string name, List<string> into)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new RepositoryException($"config \"{name}\" must be an array of URLs; not replacing the file");
        }

        while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new RepositoryException($"config \"{name}\" must hold only URL strings; not replacing the file");
            }

            into.Add(reader.GetString()!);
        }
    }

    /// <summary>Reads the next token that is not a comment.</summary>
    private static bool Next(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.Comment)
            {
                return true;
            }
        }

        return false;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!Next(ref reader) || reader.TokenType != type)
        {
            throw new JsonException($"expected {type}");
        }
    }
}
