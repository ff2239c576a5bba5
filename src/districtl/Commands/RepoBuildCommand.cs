using System.CommandLine;
using Distri.Core.AppStream;
using Distri.Core.Repository;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl repo build DIR [--key KEY]</c>: turns DIR/pkg/*.squashfs (+ .meta.json) into a mirror with index.json,
/// zstd transport copies, the AppStream catalog (appstream/) and, with a key, index.json.sig. Returns the <c>repo</c> command with <c>build</c> under it.
/// </summary>
internal static class RepoBuildCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "Repository directory holding pkg/<fullname>.squashfs and .meta.json files" };
        var key = new Option<string?>("--key") { Description = "Signing key: PREFIX or PREFIX.key as written by 'districtl keygen'" };
        var level = new Option<int>("--zstd-level")
        {
            Description = "zstd level of the .squashfs.zst transport copies (1-22)",
            DefaultValueFactory = _ => 19,
        };
        var build = new Command("build", "Build (or rebuild) a repository index, transport copies and signature") { dir, key, level };
        build.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            int zstdLevel = parseResult.GetValue(level);
            if (zstdLevel is < 1 or > 22)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"districtl repo build: --zstd-level {zstdLevel} is not between 1 and 22");
                return 1;
            }

            try
            {
                var builder = new RepositoryBuilder { ZstdLevel = zstdLevel };
                var result = builder.Run(parseResult.GetValue(dir)!, parseResult.GetValue(key));
                foreach (string warning in result.Warnings)
                {
                    parseResult.InvocationConfiguration.Error.WriteLine($"districtl: warning: {warning}");
                }

                output.WriteLine($"{result.IndexPath}: {result.Index.Packages.Count} packages");
                if (result.AppStreamComponents > 0)
                {
                    output.WriteLine($"{AppStreamLayout.CatalogPath}: {result.AppStreamComponents} AppStream components");
                }

                output.WriteLine(result.SignaturePath is null
                    ? "not signed (no --key): clients will refuse this index"
                    : $"{result.SignaturePath}: signed by key {result.KeyId}");
                return 0;
            }
            catch (Exception e) when (e is RepositoryException or IOException or UnauthorizedAccessException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"districtl repo build: {e.Message}");
                return 1;
            }
        });
        return new Command("repo", "Offline repository tools") { build };
    }
}
