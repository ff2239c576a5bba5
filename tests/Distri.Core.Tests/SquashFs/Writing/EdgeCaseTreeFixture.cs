using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.SquashFs.Writing;

/// <summary>The edge-case tree, built once per test class (root only), and a scratch directory for images.</summary>
public sealed class EdgeCaseTreeFixture : IDisposable
{
    public EdgeCaseTreeFixture()
    {
        WorkDirectory = Path.Combine(Path.GetTempPath(), "distri-writer-" + Guid.NewGuid().ToString("N")[..12]);
        SourceDirectory = Path.Combine(WorkDirectory, "source");
        Available = Requirements.Missing(needsRoot: true, Requirements.MountOracleTools).Count == 0;
        if (Available)
        {
            EdgeCaseTree.Create(SourceDirectory);
        }
    }

    public bool Available { get; }

    public string WorkDirectory { get; }

    public string SourceDirectory { get; }

    /// <summary>A fresh path under the scratch directory.</summary>
    public string NewPath(string name) => Path.Combine(WorkDirectory, $"{name}-{Guid.NewGuid().ToString("N")[..8]}");

    public void Dispose()
    {
        if (Directory.Exists(WorkDirectory))
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }
}
