namespace Distrid.Tests.Packaging;

/// <summary>Files of this checkout that ship in the package (units/, dbus/, packaging/), found from the test binary.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootDirectory = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Distrid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Distrid.sln above {AppContext.BaseDirectory}");
    });

    public static string Root => RootDirectory.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>The <c>Key=Value</c> assignments of a systemd unit file (comments and sections dropped), in order.</summary>
    public static List<KeyValuePair<string, string>> UnitAssignments(string relative) =>
        File.ReadLines(PathOf(relative))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && line[0] is not ('#' or ';' or '['))
            .Select(line => line.Split('=', 2))
            .Select(parts => KeyValuePair.Create(parts[0].Trim(), parts.Length > 1 ? parts[1].Trim() : ""))
            .ToList();
}
