using Distri.Core.FileTree;
using Distri.Core.Packages;

namespace Distrid.Tests.AppStream;

/// <summary>
/// Package trees with AppStream data, packed with our writer: a real small application (program, metainfo, desktop
/// file, 64x64 and 128x128 icons), and packages whose metainfo is broken in the ways a build must survive.
/// </summary>
public static class TestApps
{
    public const string AppId = "org.distri.GsHello";
    public const string AppPackage = "gshello";
    public const string AppName = "GS Hello";
    public const string AppFullName = "gshello-amd64-1.0-1";

    /// <summary>Green, not GNOME's accent blue: the GNOME Software test finds the Install button by that blue.</summary>
    public static readonly (byte R, byte G, byte B) IconColor = (0x26, 0xa2, 0x69);

    public static readonly string Metainfo = $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <component type="desktop-application">
          <id>{AppId}</id>
          <metadata_license>CC0-1.0</metadata_license>
          <project_license>MIT</project_license>
          <name>{AppName}</name>
          <summary>Greets you from a Distrid mirror</summary>
          <description>
            <p>GS Hello is a tiny application packaged as one SquashFS image, served by an nginx mirror and installed by distrid through its PackageKit service.</p>
            <p>Installing it adds gshello to /ro/bin, atomically, as a new generation that can be rolled back.</p>
          </description>
          <launchable type="desktop-id">{AppId}.desktop</launchable>
          <url type="homepage">https://example.org/gshello</url>
          <developer_name>The Distrid project</developer_name>
          <content_rating type="oars-1.1"/>
          <releases>
            <release version="1.0" date="2026-12-01"/>
          </releases>
        </component>
        """;

    public static readonly string DesktopFile = $"""
        [Desktop Entry]
        Type=Application
        Name={AppName}
        Comment=Greets you from a Distrid mirror
        Exec=gshello
        Icon={AppId}
        Categories=Utility;
        """;

    /// <summary>Writes the application's tree under <paramref name="tree"/>.</summary>
    public static void WriteApp(string tree)
    {
        Write(tree, "bin/gshello", "#!/bin/sh\necho 'hello from gshello'\n", executable: true);
        Write(tree, $"share/metainfo/{AppId}.metainfo.xml", Metainfo);
        Write(tree, $"share/applications/{AppId}.desktop", DesktopFile);
        foreach (int size in new[] { 64, 128 })
        {
            string icon = Path.Combine(tree, $"share/icons/hicolor/{size}x{size}/apps/{AppId}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(icon)!);
            File.WriteAllBytes(icon, TinyPng.Square(size, IconColor));
        }
    }

    /// <summary>Packs a tree written by <paramref name="write"/> as <paramref name="fullName"/> into <paramref name="pkgDir"/>.</summary>
    public static void Pack(string pkgDir, string fullName, Action<string> write, string workDirectory)
    {
        string tree = Path.Combine(workDirectory, "tree-" + fullName);
        Directory.CreateDirectory(tree);
        try
        {
            write(tree);
            PackageBuilder.Build(DirectoryScanner.Scan(tree), PackageName.Parse(fullName), new PackageBuildOptions { Summary = "test package " + fullName }, pkgDir);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    public static void Write(string tree, string path, string content, bool executable = false)
    {
        string full = Path.Combine(tree, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        if (executable)
        {
            File.SetUnixFileMode(full, (UnixFileMode)0b111_101_101);
        }
    }
}
