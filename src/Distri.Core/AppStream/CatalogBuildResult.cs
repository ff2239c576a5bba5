namespace Distri.Core.AppStream;

/// <summary>A built catalog: the gzip'd collection XML, the tar.gz of its icons, and what was skipped and why.</summary>
public sealed record CatalogBuildResult(byte[] CatalogGz, byte[] IconsTarGz, int Components, int Icons, IReadOnlyList<string> Warnings);
