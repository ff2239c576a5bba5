using Distrid.Protocol;
using Tmds.DBus.Protocol;
using static Distrid.Api.DBus.DtoWriter;

namespace Distrid.Api.DBus;

/// <summary>
/// <see cref="RepositoryInfo"/> as a D-Bus dictionary with the JSON-RPC field names; a field JSON-RPC leaves out (null)
/// is left out here too; <c>lastRefresh</c> is milliseconds since the Unix epoch (x), as <c>started</c> in History.
/// </summary>
internal static class RepositoryDtoWriter
{
    public static void WriteRepositories(ref MessageWriter writer, IReadOnlyList<RepositoryInfo> repositories)
    {
        var array = writer.WriteArrayStart(DBusType.Array);
        foreach (var repository in repositories)
        {
            WriteRepository(ref writer, repository);
        }

        writer.WriteArrayEnd(array);
    }

    public static void WriteRepository(ref MessageWriter writer, RepositoryInfo repository)
    {
        var dict = writer.WriteDictionaryStart();
        String(ref writer, "url", repository.Url);
        Bool(ref writer, "enabled", repository.Enabled);
        if (repository.Key is { } key)
        {
            String(ref writer, "key", key);
        }

        if (repository.Fingerprint is { } fingerprint)
        {
            String(ref writer, "fingerprint", fingerprint);
        }

        if (repository.Packages is int packages)
        {
            Int32(ref writer, "packages", packages);
        }

        if (repository.LastRefresh is { } refreshed)
        {
            Int64(ref writer, "lastRefresh", refreshed.ToUnixTimeMilliseconds());
        }

        if (repository.Error is { } error)
        {
            String(ref writer, "error", error);
        }

        writer.WriteDictionaryEnd(dict);
    }
}
