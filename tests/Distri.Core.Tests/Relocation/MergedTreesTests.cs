using System.Text;
using Distri.Core.Packages;
using Distri.Core.Relocation;
using Distri.Core.Tests.Debian;

namespace Distri.Core.Tests.Relocation;

/// <summary>
/// A program tree that three packages fill, shaped like libreoffice's lib/libreoffice (real .debs from dpkg-deb):
/// app-common ships the launcher, the configuration that names /usr/lib/app and /etc/app, an absolute link into /etc
/// and a ucf call; app-core (depends on app-common) the program; app-plugin (depends on app-core, as
/// libreoffice-writer on libreoffice-core) a plugin and its own ucf file. What the relocation plans for each.
/// </summary>
public sealed class MergedTreesTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("distri-merged-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void APackageWithAProgramInASharedTree_GetsTheTreeMergedAndItsProgramRunsFromThere()
    {
        if (!Requirements.Tools("dpkg-deb"))
        {
            return;
        }

        var analysis = Analyse(out var common, out var core, out var plugin, out _);
        var corePlan = analysis.Plans[core].Merged;
        string coreMerged = $"/ro/{core.FullName}/.distrid/merged";

        // The program's real file moves into the merged tree; its own path links there.
        Assert.Equal(new Dictionary<string, string> { ["lib/app/program/app.bin"] = ".distrid/merged/lib/app/program/app.bin" }, corePlan.Moved);
        // Siblings from a dependency by their versioned path, from a package that depends on it through the exchange directory.
        Assert.Equal($"/ro/{common.FullName}/lib/app/program/apprc", corePlan.Links[".distrid/merged/lib/app/program/apprc"]);
        Assert.Equal("/ro/lib/app/program/libplugin.so", corePlan.Links[".distrid/merged/lib/app/program/libplugin.so"]);
        // Its own files are the same nodes (hard links), its own directories real ones: a program that copies its tree
        // (libreoffice copies presets/ into the profile, a symlink as a symlink) meets files and directories.
        Assert.Equal("lib/app/program/libcore.so", corePlan.Same[".distrid/merged/lib/app/program/libcore.so"]);
        Assert.Equal("lib/app/share/data/words", analysis.Plans[common].Merged.Same[".distrid/merged/lib/app/share/data/words"]);
        Assert.DoesNotContain(".distrid/merged/lib/app/share/data", analysis.Plans[common].Merged.Links.Keys);
        // Another member's directory that it provides alone is one link.
        Assert.Equal($"/ro/{common.FullName}/lib/app/share/data", corePlan.Links[".distrid/merged/lib/app/share/data"]);
        Assert.Equal("../../../lib/app/share/.registry/plugin.conf", corePlan.Links[".distrid/merged/etc/app/registry/plugin.conf"]);
        Assert.Equal("../../../lib/app/share/.registry/plugin.conf", analysis.Plans[common].Merged.Links[".distrid/merged/etc/app/registry/plugin.conf"]);
        // A link inside the trees is followed inside the merged tree (dpkg's tree has no other).
        Assert.Equal("../../../etc/app/registry", corePlan.Links[".distrid/merged/lib/app/share/registry"]);
        Assert.Contains(("/usr/lib/app", coreMerged + "/lib/app"), corePlan.Rewrites);
        Assert.Contains(("/etc/app", coreMerged + "/etc/app"), corePlan.Rewrites);

        // app-common's launcher is a program of the tree too; app-plugin has none and gets no merged tree.
        Assert.Equal([".distrid/merged/lib/app/program/launch"], analysis.Plans[common].Merged.Moved.Values);
        Assert.True(analysis.Plans[plugin].Merged.IsEmpty);
        Assert.Empty(analysis.Plans[plugin].Merged.Links);
    }

    [Fact]
    public void UcfFiles_BecomeLinksInTheDeclaringPackage()
    {
        if (!Requirements.Tools("dpkg-deb"))
        {
            return;
        }

        var analysis = Analyse(out var common, out _, out var plugin, out _);
        Assert.Equal("../../../lib/app/share/.registry/main.conf", analysis.Plans[common].AddedLinks["etc/app/registry/main.conf"]);
        Assert.Equal("../../../lib/app/share/.registry/plugin.conf", analysis.Plans[plugin].AddedLinks["etc/app/registry/plugin.conf"]);
    }

    [Fact]
    public void ALibraryFoundBesideTheProgramOnlyInAnotherPackage_GoesIntoTheFarm()
    {
        if (!Requirements.Tools("dpkg-deb", "gcc", "patchelf"))
        {
            return;
        }

        // $ORIGIN is the program's own package directory at run time, where libsplit.so.1 is not.
        string library = Path.Combine(_work, "libsplit.so.1");
        string program = Path.Combine(_work, "app.bin");
        File.WriteAllText(Path.Combine(_work, "lib.c"), "int split(void) { return 42; }\n");
        File.WriteAllText(Path.Combine(_work, "main.c"), "int split(void); int main(void) { return split() == 42 ? 0 : 1; }\n");
        Support.ProcessRunner.Run("gcc", "-shared", "-fPIC", "-Wl,-soname,libsplit.so.1", "-o", library, Path.Combine(_work, "lib.c"));
        Support.ProcessRunner.Run("gcc", "-o", program, Path.Combine(_work, "main.c"), library, "-Wl,-rpath,$ORIGIN", "-Wl,--disable-new-dtags");
        string libDeb = new DebBuilder(_work, "libsplit1").Control(Control("libsplit1", ""))
            .File("usr/lib/app/program/libsplit.so.1", File.ReadAllBytes(library))
            .Build(Path.Combine(_work, "libsplit1.deb"), "gzip");
        string appDeb = new DebBuilder(_work, "app-bin").Control(Control("app-bin", "libsplit1"))
            .File("usr/lib/app/program/app.bin", File.ReadAllBytes(program), 0x1ED)
            .Build(Path.Combine(_work, "app-bin.deb"), "gzip");
        var members = Read([("libsplit1", libDeb, []), ("app-bin", appDeb, ["libsplit1"])]);
        var analysis = new ClosureAnalysis(members, _ => { });

        var plan = analysis.Plans[members[1]];
        Assert.Equal($"/ro/{members[0].FullName}/lib/app/program/libsplit.so.1", plan.Farm["libsplit.so.1"]);
        Assert.EndsWith($":/ro/{members[1].FullName}/.distrid/lib", plan.ElfEdits.Values.Single().RunPath);
    }

    [Fact]
    public void AProgramWhoseClosureHoldsFontconfigsConfiguration_GetsItInItsWrapper_WhereverItLies()
    {
        if (!Requirements.Tools("dpkg-deb") || !File.Exists("/usr/bin/true"))
        {
            return;
        }

        // libfontconfig reads /etc/fonts/fonts.conf, outside /ro; firefox-esr's program is lib/firefox-esr/firefox-esr.
        string shellDeb = new DebBuilder(_work, "sh").Control(Control("sh", ""))
            .File("usr/bin/sh", "not a real shell\n", 0x1ED)
            .Build(Path.Combine(_work, "sh.deb"), "gzip");
        string configDeb = new DebBuilder(_work, "fontconfig-config").Control(Control("fontconfig-config", ""))
            .File("etc/fonts/fonts.conf", "<fontconfig><dir>/usr/share/fonts</dir></fontconfig>\n")
            .Build(Path.Combine(_work, "fontconfig-config.deb"), "gzip");
        string browserDeb = new DebBuilder(_work, "browser").Control(Control("browser", "fontconfig-config, sh"))
            .File("usr/lib/browser/browser", File.ReadAllBytes("/usr/bin/true"), 0x1ED)
            .File("usr/lib/browser/omni.ja", "beside it\n")
            .Symlink("usr/bin/browser", "../lib/browser/browser")
            .Build(Path.Combine(_work, "browser.deb"), "gzip");
        var members = Read([("sh", shellDeb, []), ("fontconfig-config", configDeb, []), ("browser", browserDeb, ["fontconfig-config", "sh"])]);
        var analysis = new ClosureAnalysis(members, _ => { });

        var wrapper = analysis.Plans[members[2]].Wrappers["lib/browser/browser"];
        string configuration = $"/ro/{members[1].FullName}/etc/fonts";
        Assert.Contains(("FONTCONFIG_FILE", configuration + "/fonts.conf"), wrapper.Set);
        Assert.Contains(("FONTCONFIG_PATH", configuration), wrapper.Set);
        Assert.Empty(analysis.Plans[members[0]].Wrappers);
    }

    [Fact]
    public void Rewrite_ReplacesWholeTreePathsOnly_AndLeavesBinaryFilesAlone()
    {
        (string, string)[] rewrites = [("/usr/lib/app", "/ro/x/.distrid/merged/lib/app"), ("/etc/app", "/ro/x/.distrid/merged/etc/app")];
        byte[]? text = MergedTrees.Rewrite(Encoding.UTF8.GetBytes(
            "BASE=file:///usr/lib/app\nCONF=/etc/app/registry /usr/lib/app/program\nOTHER=/usr/lib/app-old /opt/usr/lib/app /etc/apparmor\n"), rewrites);
        Assert.Equal(
            "BASE=file:///ro/x/.distrid/merged/lib/app\nCONF=/ro/x/.distrid/merged/etc/app/registry /ro/x/.distrid/merged/lib/app/program\nOTHER=/usr/lib/app-old /opt/usr/lib/app /etc/apparmor\n",
            Encoding.UTF8.GetString(text!));
        Assert.Null(MergedTrees.Rewrite(Encoding.UTF8.GetBytes("nothing here /usr/lib/apps\n"), rewrites));
        Assert.Null(MergedTrees.Rewrite([.. Encoding.UTF8.GetBytes("/usr/lib/app"), 0, 1, 2], rewrites));
    }

    private ClosureAnalysis Analyse(out ClosureMember common, out ClosureMember core, out ClosureMember plugin, out ClosureMember shell)
    {
        string shellDeb = new DebBuilder(_work, "sh").Control(Control("sh", ""))
            .File("usr/bin/sh", "not a real shell\n", 0x1ED)
            .Build(Path.Combine(_work, "sh.deb"), "gzip");
        string commonDeb = new DebBuilder(_work, "app-common").Control(Control("app-common", "sh"))
            .File("DEBIAN/postinst", "#!/bin/sh\nset -e\nif [ \"$1\" = configure ]; then\n\tucf --three-way \"/usr/lib/app/share/.registry/main.conf\" \"/etc/app/registry/main.conf\"\n\tucfr --force app-common \"/etc/app/registry/main.conf\"\nfi\n", 0x1ED)
            .File("usr/lib/app/program/launch", "#!/bin/sh\nexec \"$(dirname \"$0\")/app.bin\" \"$@\"\n", 0x1ED)
            .Symlink("usr/bin/app", "../lib/app/program/launch")
            .File("usr/lib/app/program/apprc", "BASE=file:///usr/lib/app\nCONF=/etc/app/registry\n")
            .File("usr/lib/app/share/.registry/main.conf", "main\n")
            .File("usr/lib/app/share/data/words", "words\n")
            .Symlink("usr/lib/app/share/registry", "/etc/app/registry")
            .File("etc/app/app.conf", "conf\n")
            .File("etc/app/registry/README", "the registry\n")
            .Build(Path.Combine(_work, "app-common.deb"), "gzip");
        string coreDeb = new DebBuilder(_work, "app-core").Control(Control("app-core", "app-common, sh"))
            .File("usr/lib/app/program/app.bin", "#!/bin/sh\necho core\n", 0x1ED)
            .File("usr/lib/app/program/libcore.so", "core library\n")
            .Build(Path.Combine(_work, "app-core.deb"), "gzip");
        string pluginDeb = new DebBuilder(_work, "app-plugin").Control(Control("app-plugin", "app-core"))
            .File("DEBIAN/postinst", "#!/bin/sh\nucf \"/usr/lib/app/share/.registry/plugin.conf\" \"/etc/app/registry/plugin.conf\"\n", 0x1ED)
            .File("usr/lib/app/program/libplugin.so", "plugin\n")
            .File("usr/lib/app/share/.registry/plugin.conf", "plugin\n")
            .Build(Path.Combine(_work, "app-plugin.deb"), "gzip");
        var members = Read([("sh", shellDeb, []), ("app-common", commonDeb, ["sh"]), ("app-core", coreDeb, ["app-common", "sh"]), ("app-plugin", pluginDeb, ["app-core"])]);
        (shell, common, core, plugin) = (members[0], members[1], members[2], members[3]);
        return new ClosureAnalysis(members, _ => { });
    }

    private List<ClosureMember> Read(IReadOnlyList<(string Name, string Deb, string[] Dependencies)> packages)
    {
        string spool = Path.Combine(_work, "spool");
        Directory.CreateDirectory(spool);
        static string FullName(string name) => PackageName.Create(name, "amd64", "1.0", 1).FullName;
        return [.. packages.Select(p => ClosureMember.Read(
            new ClosurePackage(p.Deb, PackageName.Create(p.Name, "amd64", "1.0", 1), [.. p.Dependencies.Select(FullName)]), spool, _ => { }))];
    }

    private static string Control(string package, string depends) =>
        $"Package: {package}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: t <t@example.org>\n"
        + (depends.Length > 0 ? $"Depends: {depends}\n" : "") + $"Description: {package}\n";
}
