using Distri.Core.Packages;
using Distrid.Transactions;
using static Distrid.Tests.Transactions.Unit.Catalogs;

namespace Distrid.Tests.Transactions.Unit;

/// <summary>What users type resolved to packages, and dependency closures, without a daemon or a mirror.</summary>
public sealed class PackageCatalogTests
{
    private static readonly string ForeignArch = PackageName.Architectures.First(a => a != PackageCatalog.NativeArch);

    [Fact]
    public void A_name_resolves_to_its_newest_revision_and_a_full_name_to_itself()
    {
        var catalog = Of([Stored("zsh-amd64-5.8-1")], Offered("zsh-amd64-5.9-3"), Offered("zsh-amd64-5.9-2"));

        Assert.Equal("zsh-amd64-5.9-3", catalog.Resolve("zsh").FullName);
        Assert.Equal("zsh-amd64-5.9-3", catalog.Resolve("zsh-amd64").FullName);
        Assert.Equal("zsh-amd64-5.8-1", catalog.Resolve("zsh-amd64-5.8-1").FullName);
    }

    [Fact]
    public void The_native_architecture_wins_over_a_higher_revision_of_another_and_name_arch_selects_one()
    {
        string native = $"tool-{PackageCatalog.NativeArch}-1.0-1";
        string foreign = $"tool-{ForeignArch}-1.0-7";
        var catalog = Of([], Offered(native), Offered(foreign));

        Assert.Equal(native, catalog.Resolve("tool").FullName);
        Assert.Equal(foreign, catalog.Resolve($"tool-{ForeignArch}").FullName);
    }

    [Fact]
    public void An_unknown_name_is_NotFound_with_the_name_in_one_line()
    {
        var catalog = Of([Stored("zsh-amd64-5.9-3")]);

        var error = Assert.Throws<TransactionException>(() => catalog.Resolve("fish"));
        Assert.Equal(TransactionError.NotFound, error.Error);
        Assert.Equal("no package 'fish' in the repositories or the store", error.Message);
        Assert.Equal(TransactionError.NotFound, Assert.Throws<TransactionException>(() => catalog.Resolve("zsh-amd64-9-9")).Error);
    }

    [Fact]
    public void The_closure_holds_every_transitive_dependency_once_sorted_even_with_a_cycle()
    {
        var catalog = Of(
            [Stored("app-amd64-1-1", "lib-amd64-1-1", "data-amd64-1-1")],
            Offered("lib-amd64-1-1", "libc-amd64-2-1"),
            Offered("libc-amd64-2-1", "lib-amd64-1-1"),
            Offered("data-amd64-1-1"),
            Offered("unrelated-amd64-1-1"));

        Assert.Equal(
            ["app-amd64-1-1", "data-amd64-1-1", "lib-amd64-1-1", "libc-amd64-2-1"],
            catalog.Closure(["app-amd64-1-1", "lib-amd64-1-1"]));
    }

    [Fact]
    public void A_missing_dependency_names_who_needs_it()
    {
        var catalog = Of([], Offered("app-amd64-1-1", "lib-amd64-1-1"));

        var error = Assert.Throws<TransactionException>(() => catalog.Closure(["app-amd64-1-1"]));
        Assert.Equal(TransactionError.Dependency, error.Error);
        Assert.Equal("app-amd64-1-1 needs lib-amd64-1-1, which no repository or store image offers", error.Message);

        var root = Assert.Throws<TransactionException>(() => catalog.Closure(["gone-amd64-1-1"]));
        Assert.Equal("gone-amd64-1-1 is not available", root.Message);
    }

    [Fact]
    public void The_stores_metadata_wins_over_the_index_and_an_image_without_metadata_still_counts()
    {
        var bare = Stored("bare-amd64-1-1") with { Metadata = null };
        var catalog = Of(
            [Stored("app-amd64-1-1", "lib-amd64-1-1"), bare],
            Offered("app-amd64-1-1", "other-amd64-1-1"),
            Offered("lib-amd64-1-1"));

        Assert.Equal(["lib-amd64-1-1"], catalog.Find("app-amd64-1-1")!.Dependencies);
        Assert.Empty(catalog.Find("bare-amd64-1-1")!.Dependencies);
        Assert.Equal(1000, catalog.Find("bare-amd64-1-1")!.Size);
        Assert.True(catalog.InStore("bare-amd64-1-1"));
        Assert.False(catalog.InStore("lib-amd64-1-1"));
        Assert.Null(catalog.Find("other-amd64-1-1"));
    }

    [Fact]
    public void Newest_stays_within_name_and_arch_and_keeps_an_unknown_name()
    {
        string foreign = $"tool-{ForeignArch}-1.0-9";
        var catalog = Of([], Offered("tool-amd64-1.0-1"), Offered("tool-amd64-1.1-4"), Offered(foreign));

        Assert.Equal("tool-amd64-1.1-4", catalog.Newest(PackageName.Parse("tool-amd64-1.0-1")).FullName);
        Assert.Equal(foreign, catalog.Newest(PackageName.Parse($"tool-{ForeignArch}-1.0-2")).FullName);
        Assert.Equal("gone-amd64-1-1", catalog.Newest(PackageName.Parse("gone-amd64-1-1")).FullName);
    }

    [Theory]
    [InlineData("zsh-amd64", "zsh", "amd64")]
    [InlineData("gcc-12-arm64", "gcc-12", "arm64")]
    [InlineData("gcc-12", "gcc-12", null)]
    [InlineData("zsh", "zsh", null)]
    [InlineData("-amd64", "-amd64", null)]
    public void SplitArch_takes_a_known_architecture_suffix_only(string spec, string name, string? arch) =>
        Assert.Equal((name, arch), PackageCatalog.SplitArch(spec));
}
