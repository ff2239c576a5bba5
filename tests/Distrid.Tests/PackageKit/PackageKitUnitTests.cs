using Distrid.Api.PackageKit;
using Distrid.Hosting;
using Distrid.Protocol;
using Distrid.Tests.Support;

namespace Distrid.Tests.PackageKit;

/// <summary>Package ids and rows as PackageKit clients see them, and how the service is switched on.</summary>
public sealed class PackageKitUnitTests
{
    private static PackageInfo Package(string name, string version, int revision, bool installed, string arch = "amd64") => new()
    {
        FullName = $"{name}-{arch}-{version}-{revision}",
        Name = name,
        Arch = arch,
        Version = version,
        Revision = revision,
        Summary = "about " + name,
        Installed = installed,
    };

    private static readonly PackageInfo[] Packages =
    [
        Package("zsh", "5.9", 2, installed: false),
        Package("zsh", "5.9", 3, installed: true),
        Package("zsh", "5.9", 4, installed: false),
        Package("gcc-libs", "13.2", 1, installed: false),
        Package("tool", "1.0", 7, installed: true),
        Package("tool", "0.9", 5, installed: false),
    ];

    [Fact]
    public void One_installed_row_per_name_and_the_newest_available_only_when_newer()
    {
        var rows = new PackageRows(Packages);

        Assert.Equal(
            ["gcc-libs;13.2-1;amd64;distri", "tool;1.0-7;amd64;installed:distri", "zsh;5.9-3;amd64;installed:distri", "zsh;5.9-4;amd64;distri"],
            rows.Rows.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["zsh;5.9-4;amd64;distri"], rows.Updates().Select(r => r.Id));
    }

    [Fact]
    public void Ids_map_back_by_lookup_including_the_form_without_installed()
    {
        var rows = new PackageRows(Packages);

        Assert.Equal("zsh-amd64-5.9-3", rows.ById("zsh;5.9-3;amd64;installed:distri")?.FullName);
        Assert.Equal("zsh-amd64-5.9-3", rows.ById("zsh;5.9-3;amd64;distri")?.FullName); // GNOME Software strips "installed:"
        Assert.Equal("zsh-amd64-5.9-2", rows.ById("zsh;5.9-2;amd64;distri")?.FullName); // older revisions stay addressable
        Assert.Equal("gcc-libs-amd64-13.2-1", rows.ById("gcc-libs;13.2-1;amd64;distri")?.FullName);
        Assert.Null(rows.ById("gcc;libs-13.2-1;amd64;distri"));
        Assert.Null(rows.ById("zsh-amd64-5.9-3"));
        Assert.Equal("zsh;5.9-3;amd64;installed:distri", rows.IdOf("zsh-amd64-5.9-3"));
    }

    [Fact]
    public void Filters_select_installed_available_and_architecture()
    {
        var rows = new PackageRows([.. Packages, Package("foreign", "1", 1, installed: false, arch: "arm64")]);
        const ulong installed = 1UL << 2, notInstalled = 1UL << 3, arch = 1UL << 18, notArch = 1UL << 19, source = 1UL << 20;

        Assert.All(PackageRows.Filter(rows.Rows, installed), r => Assert.True(r.Installed));
        Assert.Equal(2, PackageRows.Filter(rows.Rows, installed).Count());
        Assert.Equal(3, PackageRows.Filter(rows.Rows, notInstalled).Count());
        Assert.Equal(["foreign;1-1;arm64;distri"], PackageRows.Filter(rows.Rows, notArch).Select(r => r.Id));
        Assert.DoesNotContain(PackageRows.Filter(rows.Rows, arch), r => r.Package.Arch == "arm64");
        Assert.Empty(PackageRows.Filter(rows.Rows, source));
    }

    [Fact]
    public void The_flag_or_the_config_file_switches_the_service_on()
    {
        using var directory = new TempDirectory();
        string off = Path.Combine(directory.Path, "off.json");
        string on = Path.Combine(directory.Path, "on.json");
        File.WriteAllText(off, """{ "packagekit": false }""");
        File.WriteAllText(on, """{ "packagekit": true }""");
        var command = DaemonCommandLine.CreateCommand();

        Assert.False(new DaemonOptions().PackageKit);
        Assert.False(DaemonCommandLine.Resolve(command.Parse(["--config", off])).PackageKit);
        Assert.True(DaemonCommandLine.Resolve(command.Parse(["--config", off, "--packagekit"])).PackageKit);
        Assert.True(DaemonCommandLine.Resolve(command.Parse(["--config", on])).PackageKit);
    }

    [Fact]
    public void The_offline_files_are_the_key_files_libpackagekit_reads_and_their_directory_is_configurable()
    {
        using var directory = new TempDirectory();
        string state = Path.Combine(directory.Path, "pk");
        File.WriteAllText(Path.Combine(directory.Path, "on.json"), $$"""{ "packagekitState": "{{state}}" }""");
        var command = DaemonCommandLine.CreateCommand();
        Assert.Equal("/var/lib/PackageKit", new DaemonOptions().PackageKitState);
        Assert.Equal(state, DaemonCommandLine.Resolve(command.Parse(["--config", Path.Combine(directory.Path, "on.json")])).PackageKitState);
        Assert.Equal(directory.Path, DaemonCommandLine.Resolve(command.Parse(["--packagekit-state", directory.Path])).PackageKitState);

        var files = new OfflineUpdateFiles(state);
        Assert.False(files.Prepared);
        Assert.Empty(files.ReadPrepared());
        files.WritePrepared(["zsh;5.9-4;amd64;distri", "tool;1.1-8;amd64;distri"]);
        Assert.Equal("[update]\nprepared_ids=zsh;5.9-4;amd64;distri,tool;1.1-8;amd64;distri\n", File.ReadAllText(files.PreparedPath));
        Assert.Equal(["zsh;5.9-4;amd64;distri", "tool;1.1-8;amd64;distri"], files.ReadPrepared());

        files.WriteFailure(PkError.Name(PkError.DownloadFailed), "mirror gone\nsecond line");
        Assert.Equal(
            "[PackageKit Offline Update Results]\nSuccess=false\nRole=update-packages\nErrorCode=package-download-failed\nErrorDetails=mirror gone second line\n",
            File.ReadAllText(files.ResultsPath));
        files.DeleteResults();
        files.DeletePrepared();
        Assert.False(File.Exists(files.ResultsPath));
        Assert.False(files.Prepared);

        // A file that is not a prepared-update key file (or is huge) prepares nothing.
        File.WriteAllText(files.PreparedPath, new string('x', (1 << 20) + 1));
        Assert.Empty(files.ReadPrepared());
    }
}
