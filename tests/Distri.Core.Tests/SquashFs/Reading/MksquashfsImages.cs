using System.Collections.Concurrent;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Reading;

/// <summary>
/// One edge-case source tree per test run and the mksquashfs images made from it, built on first use and shared by
/// the tests of the collection. <see cref="Available"/> is false (and the tests return early, or fail under CI) when
/// the machine lacks root or squashfs-tools.
/// </summary>
public sealed class MksquashfsImages : IDisposable
{
    /// <summary>mksquashfs options per variant name, as the tests' theories name them.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Variants = new Dictionary<string, string[]>
    {
        ["gzip"] = ["-comp", "gzip"],
        ["zstd"] = ["-comp", "zstd"],
        ["xz"] = ["-comp", "xz"],
        ["lz4"] = ["-comp", "lz4"],
        ["uncompressed"] = ["-noI", "-noD", "-noF", "-noX"],
        ["no-fragments"] = ["-comp", "zstd", "-no-fragments"],
        ["always-fragments"] = ["-comp", "gzip", "-always-use-fragments"],
        ["block-4k"] = ["-comp", "zstd", "-b", "4096"],
        ["block-1m"] = ["-comp", "zstd", "-b", "1M"],
        ["xattrs"] = ["-comp", "gzip", "-xattrs"],
        ["no-xattrs-no-exports"] = ["-comp", "gzip", "-no-xattrs", "-no-exports"],
        ["lzo"] = ["-comp", "lzo"],
    };

    private readonly ConcurrentDictionary<string, Lazy<string>> _images = new();
    private readonly Lazy<string> _source;

    public MksquashfsImages()
    {
        Root = Path.Combine(Path.GetTempPath(), $"distri-reader-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Available = Requirements.IsRoot && ProcessRunner.IsAvailable("mksquashfs") && ProcessRunner.IsAvailable("unsquashfs");
        _source = new Lazy<string>(() =>
        {
            string source = Path.Combine(Root, "source");
            EdgeCaseTree.Create(source);
            return source;
        });
    }

    public bool Available { get; }

    public string Root { get; }

    /// <summary>The source tree the images were made from.</summary>
    public string Source => _source.Value;

    /// <summary>The image of <paramref name="variant"/> (see <see cref="Variants"/>), made on first use.</summary>
    public string Image(string variant) => _images.GetOrAdd(variant, name => new Lazy<string>(() => Make(name))).Value;

    /// <summary>A new empty directory under the fixture root.</summary>
    public string NewDirectory(string name)
    {
        string path = Path.Combine(Root, "work", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private string Make(string variant)
    {
        string image = Path.Combine(Root, "images", variant + ".sqfs");
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        ProcessRunner.Run("mksquashfs", [Source, image, "-noappend", "-quiet", "-no-progress", .. Variants[variant]]);
        return image;
    }
}

[CollectionDefinition(Name)]
public sealed class MksquashfsCollection : ICollectionFixture<MksquashfsImages>
{
    public const string Name = "mksquashfs images";
}
