using Distri.Core.Apt;
using Distri.Core.Packages;
using static Distri.Core.Tests.Apt.ClosureResolverTests;

namespace Distri.Core.Tests.Apt;

public sealed class ImportPlannerTests : IDisposable
{
    private readonly string _pkgDir = Directory.CreateTempSubdirectory("distri-planner-").FullName;

    [Fact]
    public void A_first_import_builds_everything_at_revision_1()
    {
        var plan = ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir);
        Assert.All(plan, p => Assert.True(p.Rebuild));
        Assert.Equal(["curl-amd64-7.88.1-1", "libcurl4-amd64-7.88.1-1", "libc6-amd64-2.36-1", "libnghttp2-14-amd64-1.52.0-1"], plan.Select(p => p.Name.FullName));
        Assert.Equal(["libc6-amd64-2.36-1", "libcurl4-amd64-7.88.1-1"], plan[0].Dependencies.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Nothing_changed_means_nothing_to_build()
    {
        var state = Publish(ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir));
        var again = ImportPlanner.Plan(Curl(), state, _pkgDir);
        Assert.All(again, p => Assert.False(p.Rebuild));
        Assert.Equal(state.Packages.Values.Select(p => p.FullName).Order(), again.Select(p => p.Name.FullName).Order());
    }

    [Fact]
    public void A_changed_deb_rebuilds_it_and_its_reverse_dependencies_at_a_higher_revision()
    {
        var state = Publish(ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir));
        var plan = ImportPlanner.Plan(Curl(nghttp2Version: "1.52.0-1+deb12u2"), state, _pkgDir);
        var rebuilt = plan.Where(p => p.Rebuild).Select(p => p.Name.FullName).Order(StringComparer.Ordinal);
        Assert.Equal(["curl-amd64-7.88.1-2", "libcurl4-amd64-7.88.1-2", "libnghttp2-14-amd64-1.52.0-2"], rebuilt);
        Assert.Equal("libc6-amd64-2.36-1", plan.Single(p => p.Deb.Package == "libc6").Name.FullName);
        Assert.Contains("libnghttp2-14-amd64-1.52.0-2", plan.Single(p => p.Deb.Package == "libcurl4").Dependencies);
    }

    [Fact]
    public void A_lost_state_file_never_reuses_a_full_name()
    {
        Publish(ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir));
        var plan = ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir);
        Assert.All(plan, p => Assert.Equal(2, p.Name.Revision));
    }

    [Fact]
    public void A_missing_image_is_rebuilt()
    {
        var state = Publish(ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir));
        File.Delete(Path.Combine(_pkgDir, "libc6-amd64-2.36-1" + PackageMetadata.ImageExtension));
        var plan = ImportPlanner.Plan(Curl(), state, _pkgDir);
        Assert.True(plan.Single(p => p.Deb.Package == "libc6").Rebuild);
        Assert.All(plan, p => Assert.True(p.Rebuild)); // everything depends on libc6
    }

    [Fact]
    public void A_state_from_before_bytecode_at_import_rebuilds_everything_once()
    {
        var state = Publish(ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir)) with { FormatVersion = 1 };
        var plan = ImportPlanner.Plan(Curl(), state, _pkgDir);
        Assert.All(plan, p => Assert.True(p.Rebuild));
        Assert.All(plan, p => Assert.Equal(2, p.Name.Revision));
    }

    [Fact]
    public void A_package_whose_bytecode_compiler_is_gone_or_new_is_rebuilt_and_one_without_modules_is_not()
    {
        var state = Publish(ImportPlanner.Plan(Curl(), new ImportState(), _pkgDir));
        // libcurl4 recorded a compiler this machine cannot have (python3.99); libc6 recorded none (no modules).
        state.Packages["libcurl4"] = state.Packages["libcurl4"] with { Bytecode = "python3.99:00000d0a" };
        var plan = ImportPlanner.Plan(Curl(), state, _pkgDir);
        Assert.True(plan.Single(p => p.Deb.Package == "libcurl4").Rebuild);
        Assert.False(plan.Single(p => p.Deb.Package == "libc6").Rebuild);
    }

    [Fact]
    public void A_recorded_compiler_is_current_only_while_the_machine_has_the_same_one()
    {
        // No machine has python3.99: "none then" stays current, a compiler recorded then is gone now.
        Assert.True(Distri.Core.Relocation.PythonBytecode.IsCurrent("python3.99:"));
        Assert.False(Distri.Core.Relocation.PythonBytecode.IsCurrent("python3.99:00000d0a"));
        Assert.False(Distri.Core.Relocation.PythonBytecode.IsCurrent("not a compiler"));
    }

    private static ClosureResolver Curl(string nghttp2Version = "1.52.0-1") => Resolve(
        ["curl"],
        Deb("curl", "7.88.1-10+deb12u5", depends: "libcurl4 (= 7.88.1-10+deb12u5), libc6 (>= 2.34)"),
        Deb("libcurl4", "7.88.1-10+deb12u5", depends: "libnghttp2-14 (>= 1.50), libc6"),
        Deb("libnghttp2-14", nghttp2Version, depends: "libc6"),
        Deb("libc6", "2.36-9+deb12u4"));

    // What the importer does after building: the images exist and the state records them.
    private ImportState Publish(IReadOnlyList<PlannedPackage> plan)
    {
        var state = new ImportState();
        foreach (var p in plan)
        {
            File.WriteAllText(Path.Combine(_pkgDir, p.Name.FullName + PackageMetadata.ImageExtension), p.Name.FullName);
            state.Packages[p.Deb.Package] = new ImportedPackageState { FullName = p.Name.FullName, DebSha256 = p.Deb.Sha256, Dependencies = p.Dependencies };
        }

        return state;
    }

    public void Dispose() => Directory.Delete(_pkgDir, recursive: true);
}
