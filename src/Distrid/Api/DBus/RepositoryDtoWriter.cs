using Distrid.Protocol;
using Tmds.DBus.Protocol;
using static Distrid.Api.DBus.VariantDictionary;

namespace Distrid.Api.DBus;

/// <summary>
/// <see cref="RepositoryInfo"/> as a D-Bus dictionary with the JSON-RPC field names; a field JSON-RPC leaves out (null)
/// is left out here too; <c>lastRefresh</c> is milliseconds since the Unix epoch (x), as <c>started</c> in History.
/// </summary>
internal static class RepositoryDtoWriter
{
    public static void WriteRepositories(ref MessageWriter writer, IReadOnlyList<RepositoryInfo> repositories) =>
        Records(ref writer, repositories, Repository);

    public static void WriteRepository(ref MessageWriter writer, RepositoryInfo repository) =>
        Record(ref writer, repository, Repository);

    private static void Repository(ref MessageWriter writer, RepositoryInfo repository)
    {
        String(ref writer, "url", repository.Url);
        Bool(ref writer, "enabled", repository.Enabled);
        Optional(ref writer, "key", repository.Key);
        Optional(ref writer, "fingerprint", repository.Fingerprint);
        Optional(ref writer, "packages", repository.Packages);
        Milliseconds(ref writer, "lastRefresh", repository.LastRefresh);
        Optional(ref writer, "error", repository.Error);
    }
}
