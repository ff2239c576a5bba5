using System.Text;
using Distri.Core.Packages;
using Distrid.FileSystem;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Views;

namespace Distrid.Tests.FileSystem;

/// <summary>The merge of a <c>run --with</c> view, the choices' parsing, and the view table's node ids, without a mount.</summary>
public sealed class ViewMergeTests
{
    private static (PackageName, PackageManifest) Package(string fullName, params string[] paths) =>
        (PackageName.Parse(fullName), new PackageManifest(
            [.. paths.Select(p => new ManifestEntry(Encoding.UTF8.GetBytes(p.TrimEnd('/')), p.EndsWith('/')))]));

    private static string Target(ExchangeTree tree, string path)
    {
        string[] parts = path.Split('/');
        var node = tree.Roots.Single(r => Encoding.UTF8.GetString(r.Name) == parts[0]);
        foreach (string part in parts.Skip(1))
        {
            node = node.Find(Encoding.UTF8.GetBytes(part)) ?? throw new KeyNotFoundException(path);
        }

        return Encoding.UTF8.GetString(node.LinkTarget!);
    }

    [Fact]
    public void A_chosen_package_beats_a_pin_a_higher_revision_and_the_name_order_and_says_so()
    {
        (PackageName, PackageManifest)[] packages =
        [
            Package("awk-amd64-1-1", "bin/", "bin/awk"),
            Package("less-amd64-530-1", "bin/", "bin/less"),
            Package("less-amd64-530-2", "bin/", "bin/less"),
            Package("less-amd64-530-3", "bin/", "bin/less"),
            Package("mawk-amd64-1.3-1", "bin/", "bin/awk", "bin/mawk"),
        ];
        var pins = new Dictionary<string, string> { ["less"] = "less-amd64-530-3" };

        var plain = ExchangeTreeBuilder.Build(packages, pins);
        Assert.Equal("../less-amd64-530-3/bin/less", Target(plain, "bin/less"));
        Assert.Equal("../awk-amd64-1-1/bin/awk", Target(plain, "bin/awk"));
        Assert.Equal(ConflictReason.NameOrder, Assert.Single(plain.Conflicts).Reason);

        var view = ExchangeTreeBuilder.Build(packages, pins, new HashSet<string> { "less-amd64-530-1", "mawk-amd64-1.3-1" });
        Assert.Equal("../less-amd64-530-1/bin/less", Target(view, "bin/less"));
        Assert.Equal("../mawk-amd64-1.3-1/bin/awk", Target(view, "bin/awk"));
        var conflict = Assert.Single(view.Conflicts);
        Assert.Equal(("bin/awk", "mawk-amd64-1.3-1", ConflictReason.Chosen), (conflict.Path, conflict.Winner, conflict.Reason));
        Assert.Equal(["awk-amd64-1-1"], conflict.Losers);
    }

    [Theory]
    [InlineData("zsh-amd64-5.9-3", "zsh-amd64-5.9-3", null)]
    [InlineData("awk=mawk-amd64-1.3-1", "mawk-amd64-1.3-1", "awk")]
    [InlineData("mawk=mawk-amd64-1.3-1", "mawk-amd64-1.3-1", null)]
    public void Choices_parse_as_FULLNAME_or_NAME_equals_FULLNAME(string spec, string fullName, string? replaces)
    {
        Assert.True(PackageChoice.TryParse(spec, out var choice, out string? error), error);
        Assert.Equal(fullName, choice.Package.FullName);
        Assert.Equal(replaces, choice.Replaces);
    }

    [Theory]
    [InlineData("zsh", "is not a package full name")]
    [InlineData("", "expected FULLNAME or NAME=FULLNAME")]
    [InlineData("=zsh-amd64-5.9-3", "invalid package name")]
    [InlineData("a b=zsh-amd64-5.9-3", "invalid package name")]
    [InlineData("awk=mawk", "is not a package full name")]
    [InlineData("zsh-amd64-5.9-0", "--with 'zsh-amd64-5.9-0'")]
    public void A_bad_choice_is_one_line_naming_it(string spec, string expected)
    {
        Assert.False(PackageChoice.TryParse(spec, out _, out string? error));
        Assert.Contains(expected, error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Choices_are_bounded_and_a_name_arch_is_chosen_once()
    {
        Assert.NotNull(PackageChoice.ParseAll([.. Enumerable.Range(1, PackageChoice.MaxPerView).Select(i => $"p{i}-amd64-1-1")], out _));
        Assert.Null(PackageChoice.ParseAll([.. Enumerable.Range(1, PackageChoice.MaxPerView + 1).Select(i => $"p{i}-amd64-1-1")], out string? tooMany));
        Assert.Equal($"at most {PackageChoice.MaxPerView} --with per run, got {PackageChoice.MaxPerView + 1}", tooMany);
        Assert.Null(PackageChoice.ParseAll(["zsh-amd64-5.9-3", "x=zsh-amd64-5.9-4"], out string? twice));
        Assert.Equal("--with names zsh-amd64 twice; choose one revision", twice);
        Assert.NotNull(PackageChoice.ParseAll(["zsh-amd64-5.9-3", "zsh-i686-5.9-3"], out _));
    }

    [Fact]
    public void View_nodes_have_ids_of_their_own_that_go_stale_when_the_view_closes_and_are_never_reused()
    {
        var table = new ExchangeNodeTable();
        var tree = ExchangeTreeBuilder.Build([Package("less-amd64-530-2", "bin/", "bin/less", "share/", "share/less")], new Dictionary<string, string>());
        uint first = table.Views.Add(tree);
        var directory = table.Views.Directory;
        Assert.Equal(".view"u8.ToArray(), directory.Name);
        var top = Assert.Single(directory.Children);
        Assert.Equal(Encoding.ASCII.GetBytes(first.ToString(System.Globalization.CultureInfo.InvariantCulture)), top.Name);
        Assert.Equal(["bin", "share"], top.Children.Select(c => Encoding.ASCII.GetString(c.Name)));
        var less = top.Find("bin"u8)!.Find("less"u8)!;
        Assert.True(NodeIds.IsExchange(less.NodeId) && NodeIds.IsView(less.NodeId));
        Assert.Same(less, table.Get(less.NodeId));
        Assert.Same(directory, table.Get(directory.NodeId));

        Assert.True(table.Views.Remove(first));
        Assert.Null(table.Get(less.NodeId));
        Assert.Empty(table.Views.Directory.Children);
        uint second = table.Views.Add(tree);
        Assert.NotEqual(first, second);
        Assert.Null(table.Get(NodeIds.ForView(first, NodeIds.ViewIndex(less.NodeId))));

        // The journaled ids of published trees are another range: a view never shadows one.
        Assert.False(NodeIds.IsView(NodeIds.ForExchange(int.MaxValue)));
    }

    [Fact]
    public void At_most_MaxOpen_views_are_open()
    {
        var table = new ViewTable();
        for (int i = 0; i < ViewTable.MaxOpen; i++)
        {
            Assert.NotEqual(0u, table.Add(ExchangeTree.Empty));
        }

        Assert.Equal(0u, table.Add(ExchangeTree.Empty));
        Assert.True(table.Remove(1));
        Assert.NotEqual(0u, table.Add(ExchangeTree.Empty));
    }
}
