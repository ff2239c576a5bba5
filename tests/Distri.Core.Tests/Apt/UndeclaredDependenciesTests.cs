using Distri.Core.Apt;
using Distri.Core.Relocation;
using static Distri.Core.Tests.Apt.ClosureResolverTests;

namespace Distri.Core.Tests.Apt;

public sealed class UndeclaredDependenciesTests : IDisposable
{
    private readonly string _pkgDir = Directory.CreateTempSubdirectory("distri-undeclared-").FullName;

    [Fact]
    public void Providers_of_sonames_and_paths_join_the_closure_with_their_own_dependencies()
    {
        var (resolver, index) = Git();
        var plan = ImportPlanner.Plan(resolver, new ImportState(), _pkgDir);
        string git = plan.Single(p => p.Deb.Package == "git").Name.FullName;
        var found = new Dictionary<string, IReadOnlyList<string>>
        {
            ["bin/sh"] = ["dash"],
            ["usr/lib/x86_64-linux-gnu/libpcre2-8.so.0"] = ["libpcre2-8-0"],
            ["usr/bin/perl"] = ["perl-base", "perl"],
        };
        UndeclaredDependencies.Add(resolver, index, plan,
            [new UnmetRequirement(git, "path", "/bin/sh"), new UnmetRequirement(git, "soname", "libpcre2-8.so.0"), new UnmetRequirement("not-a-member", "path", "/usr/bin/perl")],
            found, "amd64");
        Assert.Equal(["dash", "libc6", "libpcre2-8-0", "perl-base"], resolver.DependenciesOf("git"));
        Assert.NotNull(resolver.Chosen("debianutils")); // dash's own Pre-Depends
        Assert.Null(resolver.Chosen("perl"));
    }

    [Fact]
    public void An_unmet_requirement_nothing_ships_names_the_chain()
    {
        var (resolver, index) = Git();
        var plan = ImportPlanner.Plan(resolver, new ImportState(), _pkgDir);
        string libc = plan.Single(p => p.Deb.Package == "libc6").Name.FullName;
        var error = Assert.Throws<UnmetDependencyException>(() => UndeclaredDependencies.Add(resolver, index, plan,
            [new UnmetRequirement(libc, "soname", "libgone.so.1")], new Dictionary<string, IReadOnlyList<string>>(), "amd64"));
        Assert.Equal("git -> libc6 -> library libgone.so.1: not in the archive", error.Message);
        var noContents = Assert.Throws<UnmetDependencyException>(() => UndeclaredDependencies.Add(resolver, index, plan,
            [new UnmetRequirement(libc, "path", "/bin/sh")], null, "amd64"));
        Assert.Contains("no Contents-amd64 index", noContents.Message, StringComparison.Ordinal);
    }

    private static (ClosureResolver, PackageIndex) Git()
    {
        AptPackage[] packages =
        [
            Deb("git", "2.39", depends: "libc6"), Deb("libc6", "2.36"), Deb("dash", "0.5", preDepends: "libc6, debianutils"),
            Deb("debianutils", "5"), Deb("libpcre2-8-0", "10.42", depends: "libc6"), Deb("perl-base", "5.36"), Deb("perl", "5.36"),
        ];
        var index = new PackageIndex("amd64", packages);
        var resolver = new ClosureResolver(index);
        resolver.Request("git");
        return (resolver, index);
    }

    public void Dispose() => Directory.Delete(_pkgDir, recursive: true);
}
