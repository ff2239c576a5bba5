using System.Xml.Linq;
using Distri.Core.Packages;
using Distri.Core.SquashFs;
using Distri.Core.SquashFs.Reading;

namespace Distri.Core.AppStream;

/// <summary>One component of a package, ready for the catalog, and the cached icons it names.</summary>
public sealed record PackageComponent(string Id, string Package, XElement Element, IReadOnlyList<CatalogIcon> Icons);

/// <summary>
/// Reads the AppStream data of one package image: each metainfo file becomes a component with
/// <c>&lt;pkgname&gt;</c> = the package's name (the name PackageKit clients resolve), completed from its desktop file
/// (name, summary, categories, launchable) and given cached icons from the image's hicolor theme (PNG, exactly 64x64 or
/// 128x128; nothing is scaled). A malformed file is reported through the caller's warn callback and skipped.
/// </summary>
public static class PackageComponents
{
    private static readonly string[] MetainfoDirectories = ["share/metainfo", "share/appdata"];

    public static IReadOnlyList<PackageComponent> Read(string imagePath, PackageName package, Action<string> warn)
    {
        try
        {
            using var image = SquashFsImage.Open(imagePath);
            var files = new ImageFiles(image, package.FullName);
            var components = new List<PackageComponent>();
            int seen = 0;
            foreach (string directory in MetainfoDirectories)
            {
                foreach (string name in files.List(directory).Where(n => n.EndsWith(".xml", StringComparison.Ordinal)))
                {
                    if (++seen > AppStreamLayout.MaxMetainfoFilesPerPackage)
                    {
                        warn($"{package.FullName}: more than {AppStreamLayout.MaxMetainfoFilesPerPackage} metainfo files; the rest are skipped");
                        return components;
                    }

                    string where = $"{package.FullName}: {directory}/{name}";
                    try
                    {
                        components.Add(ReadOne(files, package, $"{directory}/{name}", where, warn));
                    }
                    catch (AppStreamException e)
                    {
                        warn($"{e.Message}; skipped");
                    }
                }
            }

            return components;
        }
        catch (Exception e) when (e is SquashFsException or IOException or AppStreamException)
        {
            warn($"{package.FullName}: cannot read its AppStream data ({e.Message}); skipped");
            return [];
        }
    }

    private static PackageComponent ReadOne(ImageFiles files, PackageName package, string path, string where, Action<string> warn)
    {
        byte[] bytes = files.TryRead(path, AppStreamLayout.MaxMetainfoBytes) ?? throw new AppStreamException($"{where}: dangling symlink");
        var component = MetainfoParser.Parse(bytes, where);
        string id = component.Element("id")!.Value;

        string? desktopId = component.Elements("launchable").FirstOrDefault(l => (string?)l.Attribute("type") == "desktop-id")?.Value.Trim();
        desktopId ??= id.EndsWith(".desktop", StringComparison.Ordinal) ? id : id + ".desktop";
        DesktopEntry? desktop = null;
        if (MetainfoParser.IsValidId(desktopId) && files.TryRead($"share/applications/{desktopId}", AppStreamLayout.MaxDesktopFileBytes) is { } entry)
        {
            desktop = DesktopEntry.Parse(entry);
            if (!component.Elements("launchable").Any())
            {
                component.Add(new XElement("launchable", new XAttribute("type", "desktop-id"), desktopId));
            }
        }

        Complete(component, "name", desktop?.Name, where);
        Complete(component, "summary", desktop?.Comment, where);
        if (component.Element("categories") is null && desktop is { Categories.Count: > 0 })
        {
            component.Add(new XElement("categories", desktop.Categories.Select(c => new XElement("category", c))));
        }

        // pkgname goes right after id, where libappstream and appstream-generator put it.
        component.Element("id")!.AddAfterSelf(new XElement("pkgname", package.Name));

        string? iconName = desktop?.Icon ?? component.Elements("icon").FirstOrDefault(i => (string?)i.Attribute("type") == "stock")?.Value.Trim();
        var icons = iconName is null ? [] : FindIcons(files, package, iconName);
        if (icons.Count == 0)
        {
            // Not fatal: software centers show a generic icon.
            warn($"{where}: no {string.Join(" or ", AppStreamLayout.IconSizes.Select(AppStreamLayout.IconDirectory))} PNG icon {IndexQuote(iconName)}; listed without one");
        }

        foreach (var icon in icons)
        {
            component.Add(new XElement("icon",
                new XAttribute("type", "cached"), new XAttribute("width", icon.Size), new XAttribute("height", icon.Size), icon.FileName));
        }

        return new PackageComponent(id, package.Name, component, icons);
    }

    /// <summary>Fills a missing untranslated element from the desktop file; a component without it is not shown by anyone.</summary>
    private static void Complete(XElement component, string element, string? fallback, string where)
    {
        if (component.Elements(element).Any(e => e.Attribute(XNamespace.Xml + "lang") is null && e.Value.Trim().Length > 0))
        {
            return;
        }

        if (fallback is null)
        {
            throw new AppStreamException($"{where}: no <{element}> (and no desktop file that says it)");
        }

        component.Element("id")!.AddAfterSelf(new XElement(element, fallback));
    }

    private static string IndexQuote(string? text) => text is null ? "(none named)" : Repository.IndexValidator.Quote(text);

    private static List<CatalogIcon> FindIcons(ImageFiles files, PackageName package, string iconName)
    {
        var icons = new List<CatalogIcon>();
        string baseName = Path.GetFileName(iconName);
        string stem = baseName.EndsWith(".png", StringComparison.Ordinal) ? baseName[..^4] : baseName;
        string fileName = $"{package.Name}_{stem}.png";
        if (!CatalogIcon.IsValidFileName(fileName))
        {
            return icons;
        }

        foreach (int size in AppStreamLayout.IconSizes)
        {
            string dir = AppStreamLayout.IconDirectory(size);
            string own = $"/ro/{package.FullName}/";
            string[] candidates = iconName.StartsWith('/')
                ? iconName.StartsWith(own, StringComparison.Ordinal) ? [iconName[own.Length..]] : []
                : [$"share/icons/hicolor/{dir}/apps/{stem}.png", $"share/pixmaps/{stem}.png"];
            foreach (string candidate in candidates)
            {
                byte[]? png;
                try
                {
                    png = files.TryRead(candidate, AppStreamLayout.MaxIconBytes);
                }
                catch (AppStreamException)
                {
                    continue;
                }

                if (png is not null && PngHeader.TryGetSize(png, out int w, out int h) && w == size && h == size)
                {
                    icons.Add(new CatalogIcon(size, fileName, png));
                    break;
                }
            }
        }

        return icons;
    }
}
