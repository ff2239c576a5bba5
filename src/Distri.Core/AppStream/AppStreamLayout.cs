namespace Distri.Core.AppStream;

/// <summary>
/// Where the AppStream catalog lives in a mirror, and the bounds every reader of AppStream input keeps. The catalog is
/// a collection XML (<c>&lt;components origin=…&gt;</c>, gzip) and a tar.gz of its cached icons (<c>64x64/NAME.png</c>,
/// <c>128x128/NAME.png</c>); index.json names both with size and sha256, so the index signature covers them.
/// </summary>
public static class AppStreamLayout
{
    public const string Directory = "appstream";
    public const string CatalogPath = Directory + "/catalog.xml.gz";
    public const string IconsPath = Directory + "/icons.tar.gz";

    /// <summary>The origin the builder writes; the daemon gives each repository its own when it installs a catalog.</summary>
    public const string DefaultOrigin = "distri";

    /// <summary>Cached icon sizes libappstream and GNOME Software read (<c>icons/&lt;origin&gt;/64x64</c>, <c>128x128</c>).</summary>
    public static readonly IReadOnlyList<int> IconSizes = [64, 128];

    public const int MaxMetainfoFilesPerPackage = 64;
    public const int MaxMetainfoBytes = 1 << 20;
    public const int MaxDesktopFileBytes = 256 << 10;
    public const int MaxIconBytes = 1 << 20;

    /// <summary>Largest catalog XML (decompressed) and icon archive a builder writes or a daemon accepts.</summary>
    public const long MaxCatalogXmlBytes = 64L << 20;
    public const long MaxCatalogFileBytes = 64L << 20;
    public const long MaxIconArchiveBytes = 256L << 20;
    public const int MaxIcons = 100_000;

    public static string IconDirectory(int size) => $"{size}x{size}";
}
