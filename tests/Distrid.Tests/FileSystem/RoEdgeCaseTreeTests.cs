using Distri.Core.FileTree;
using Distri.Core.Packages;
using Distri.Core.Tests.Support;
using Distrid.Tests.Support;

namespace Distrid.Tests.FileSystem;

/// <summary>/ro/&lt;fullname&gt;/ shows exactly the tree the image was packed from, edge cases included.</summary>
public sealed class RoEdgeCaseTreeTests
{
    [Fact]
    public async Task A_package_directory_is_identical_to_its_source_tree()
    {
        if (!Requirements.RootWithFuse())
        {
            return;
        }

        using var dir = new TempDirectory();
        string source = Path.Combine(dir.Path, "source");
        EdgeCaseTree.Create(source);
        var paths = new DaemonPaths(Path.Combine(dir.Path, "sys"));
        PackageBuilder.Build(DirectoryScanner.Scan(source), PackageName.Parse("edge-amd64-1-1"), new PackageBuildOptions(), paths.Store);
        await using var daemon = await DaemonProcess.StartAsync(paths);

        TreeComparer.AssertSame(source, Path.Combine(paths.Mountpoint, "edge-amd64-1-1"));
    }
}
