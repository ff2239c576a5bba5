using Distri.Core.Apt;

namespace Distri.Core.Tests.Apt;

public sealed class ClosureResolverTests
{
    [Fact]
    public void Follows_depends_and_pre_depends_transitively()
    {
        var resolver = Resolve(
            ["curl"],
            Deb("curl", "7.88", depends: "libcurl4 (= 7.88), libc6 (>= 2.34)"),
            Deb("libcurl4", "7.88", depends: "libnghttp2-14 (>= 1.50)", preDepends: "libc6"),
            Deb("libnghttp2-14", "1.52", depends: "libc6"),
            Deb("libc6", "2.36"),
            Deb("unrelated", "1"));
        Assert.Equal(["curl", "libcurl4", "libc6", "libnghttp2-14"], resolver.Packages.Select(p => p.Package));
        Assert.Equal(["libc6", "libcurl4"], resolver.DependenciesOf("curl"));
        Assert.Equal("curl -> libcurl4 -> libnghttp2-14", resolver.Chain("libnghttp2-14"));
    }

    [Fact]
    public void An_unmet_versioned_dependency_names_the_chain()
    {
        var error = Assert.Throws<UnmetDependencyException>(() => Resolve(
            ["curl"],
            Deb("curl", "7.88", depends: "libcurl4"),
            Deb("libcurl4", "7.88", depends: "libnghttp2-14 (>= 1.50)"),
            Deb("libnghttp2-14", "1.43")));
        Assert.Equal("curl -> libcurl4 -> libnghttp2-14 (>= 1.50): the archive has only 1.43", error.Message);
    }

    [Fact]
    public void A_missing_package_names_the_chain()
    {
        var error = Assert.Throws<UnmetDependencyException>(() => Resolve(
            ["curl"], Deb("curl", "7.88", depends: "libcurl4"), Deb("libcurl4", "7.88", depends: "libgone1 | libgone2")));
        Assert.Equal("curl -> libcurl4 -> libgone1 | libgone2: not in the archive", error.Message);
        Assert.Throws<UnmetDependencyException>(() => Resolve(["nosuch"], Deb("curl", "1")));
    }

    [Fact]
    public void Picks_the_newest_version_that_satisfies_the_constraint()
    {
        var resolver = Resolve(
            ["app"],
            Deb("app", "1", depends: "lib (<< 2.0)"),
            Deb("lib", "2.1"),
            Deb("lib", "1.9"),
            Deb("lib", "1.5"));
        Assert.Equal("1.9", resolver.Chosen("lib")!.Version);
    }

    [Fact]
    public void Alternatives_prefer_a_package_already_chosen_else_the_first_satisfiable()
    {
        var resolver = Resolve(
            ["app", "other"],
            Deb("app", "1", depends: "mawk | gawk"),
            Deb("other", "1", depends: "gawk | mawk, nosuch (>= 3) | bc"),
            Deb("mawk", "1"),
            Deb("gawk", "1"),
            Deb("bc", "1"));
        Assert.Equal(["mawk"], resolver.DependenciesOf("app"));
        Assert.Equal(["bc", "mawk"], resolver.DependenciesOf("other"));
        Assert.Null(resolver.Chosen("gawk"));
    }

    [Fact]
    public void Virtual_packages_resolve_to_providers_and_versioned_ones_need_a_versioned_provides()
    {
        var resolver = Resolve(
            ["mailer", "needs-versioned"],
            Deb("mailer", "1", depends: "mail-transport-agent"),
            Deb("needs-versioned", "1", depends: "libfoo-abi (>= 2)"),
            Deb("exim", "4", provides: "mail-transport-agent"),
            Deb("oldfoo", "1", provides: "libfoo-abi"),
            Deb("newfoo", "2", provides: "libfoo-abi (= 2)"));
        Assert.Equal(["exim"], resolver.DependenciesOf("mailer"));
        Assert.Equal(["newfoo"], resolver.DependenciesOf("needs-versioned"));
        Assert.Null(resolver.Chosen("oldfoo"));
    }

    [Fact]
    public void Arch_qualifiers_any_and_native_resolve_here_and_foreign_ones_do_not()
    {
        var resolver = Resolve(["app"], Deb("app", "1", depends: "perl:any, python3:native"), Deb("perl", "5", multiArch: "allowed"), Deb("python3", "3"));
        Assert.Equal(["perl", "python3"], resolver.DependenciesOf("app"));
        Assert.Throws<UnmetDependencyException>(() => Resolve(["app"], Deb("app", "1", depends: "perl:i386"), Deb("perl", "5")));
    }

    [Fact]
    public void Packages_of_other_architectures_are_not_candidates()
    {
        var error = Assert.Throws<UnmetDependencyException>(() => Resolve(["app"], Deb("app", "1", depends: "lib"), Deb("lib", "1", arch: "arm64")));
        Assert.Contains("app -> lib: not in the archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cycles_terminate()
    {
        var resolver = Resolve(["a"], Deb("a", "1", depends: "b"), Deb("b", "1", depends: "a"));
        Assert.Equal(["b"], resolver.DependenciesOf("a"));
        Assert.Equal(["a"], resolver.DependenciesOf("b"));
    }

    [Fact]
    public void Undeclared_dependencies_join_with_their_own_closure()
    {
        var dash = Deb("dash", "0.5", preDepends: "libc6, debianutils");
        var resolver = Resolve(["git"], Deb("git", "2", depends: "libc6"), Deb("libc6", "2.36"), dash, Deb("debianutils", "5"));
        resolver.AddDependency("git", dash);
        Assert.Equal(["dash", "libc6"], resolver.DependenciesOf("git"));
        Assert.NotNull(resolver.Chosen("debianutils"));
        Assert.Equal("git -> dash -> debianutils", resolver.Chain("debianutils"));
    }

    [Fact]
    public void A_request_may_name_a_version()
    {
        var resolver = Resolve(["lib=1.5"], Deb("lib", "2.1"), Deb("lib", "1.5"));
        Assert.Equal("1.5", resolver.Chosen("lib")!.Version);
    }

    internal static ClosureResolver Resolve(string[] requests, params AptPackage[] packages)
    {
        var resolver = new ClosureResolver(new PackageIndex("amd64", packages));
        foreach (string request in requests)
        {
            resolver.Request(request);
        }

        return resolver;
    }

    internal static AptPackage Deb(string name, string version, string? depends = null, string? preDepends = null, string? provides = null,
        string arch = "amd64", string multiArch = "no") => new()
        {
            Package = name,
            Version = version,
            Architecture = arch,
            Filename = $"pool/main/{name}_{version}_{arch}.deb",
            Size = 1,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name + version + arch))),
            Depends = [.. Relation.ParseGroups(preDepends), .. Relation.ParseGroups(depends)],
            Provides = [.. Relation.ParseGroups(provides).Select(g => g[0])],
            MultiArch = multiArch,
        };
}
