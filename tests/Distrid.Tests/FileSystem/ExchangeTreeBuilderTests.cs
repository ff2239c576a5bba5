using System.Text;
using Distri.Core.Packages;
using Distrid.FileSystem.Exchange;

namespace Distrid.Tests.FileSystem;

public sealed class ExchangeTreeBuilderTests
{
    private static readonly Dictionary<string, string> NoPins = [];

    private static (PackageName, PackageManifest) Package(string fullName, params string[] paths) =>
        (PackageName.Parse(fullName), new PackageManifest(
            [.. paths.Select(p => new ManifestEntry(Encoding.UTF8.GetBytes(p.TrimEnd('/')), p.EndsWith('/')))]));

    private static ExchangeNode Walk(ExchangeTree tree, string path)
    {
        string[] parts = path.Split('/');
        var node = tree.Roots.Single(r => Encoding.UTF8.GetString(r.Name) == parts[0]);
        foreach (string part in parts.Skip(1))
        {
            node = node.Find(Encoding.UTF8.GetBytes(part)) ?? throw new KeyNotFoundException(path);
        }

        return node;
    }

    private static string Target(ExchangeTree tree, string path) => Encoding.UTF8.GetString(Walk(tree, path).LinkTarget!);

    [Fact]
    public void Leaves_become_relative_symlinks_into_the_owning_package()
    {
        var tree = ExchangeTreeBuilder.Build([Package("less-amd64-530-2", "bin/", "bin/less", "share/", "share/man/", "share/man/man1/", "share/man/man1/less.1")], NoPins);

        Assert.Equal("../less-amd64-530-2/bin/less", Target(tree, "bin/less"));
        Assert.Equal("../../../less-amd64-530-2/share/man/man1/less.1", Target(tree, "share/man/man1/less.1"));
        Assert.True(Walk(tree, "share/man").IsDirectory);
        Assert.Empty(tree.Conflicts);
    }

    [Fact]
    public void Highest_revision_of_a_name_is_active_and_directories_merge_across_packages()
    {
        var tree = ExchangeTreeBuilder.Build(
        [
            Package("less-amd64-530-1", "bin/", "bin/less", "bin/lessold", "share/", "share/man/", "share/man/man1/", "share/man/man1/less.1"),
            Package("less-amd64-530-2", "bin/", "bin/less", "share/", "share/man/", "share/man/man1/", "share/man/man1/less.1"),
            Package("zsh-amd64-5.9-3", "bin/", "bin/zsh", "share/", "share/man/", "share/man/man1/", "share/man/man1/zsh.1"),
        ], NoPins);

        Assert.Equal("../less-amd64-530-2/bin/less", Target(tree, "bin/less"));
        Assert.Equal("../zsh-amd64-5.9-3/bin/zsh", Target(tree, "bin/zsh"));
        Assert.Null(Walk(tree, "bin").Find("lessold"u8));
        var man1 = Walk(tree, "share/man/man1");
        Assert.Equal(["less.1", "zsh.1"], man1.Children.Select(c => Encoding.UTF8.GetString(c.Name)));
        Assert.Empty(tree.Conflicts);
    }

    [Fact]
    public void A_pin_selects_an_older_revision()
    {
        var pins = new Dictionary<string, string> { ["less"] = "less-amd64-530-1" };
        var tree = ExchangeTreeBuilder.Build([Package("less-amd64-530-1", "bin/", "bin/less"), Package("less-amd64-530-2", "bin/", "bin/less")], pins);

        Assert.Equal("../less-amd64-530-1/bin/less", Target(tree, "bin/less"));
    }

    [Fact]
    public void Different_names_providing_one_path_resolve_by_name_order_and_are_reported()
    {
        var tree = ExchangeTreeBuilder.Build([Package("vim-amd64-9.0-1", "bin/", "bin/vi"), Package("nvi-amd64-1.81-4", "bin/", "bin/vi")], NoPins);

        Assert.Equal("../nvi-amd64-1.81-4/bin/vi", Target(tree, "bin/vi"));
        var conflict = Assert.Single(tree.Conflicts);
        Assert.Equal("bin/vi", conflict.Path);
        Assert.Equal("nvi-amd64-1.81-4", conflict.Winner);
        Assert.Equal(["vim-amd64-9.0-1"], conflict.Losers);
    }

    [Fact]
    public void Input_order_does_not_change_the_result()
    {
        (PackageName, PackageManifest)[] packages =
        [
            Package("b-amd64-1-1", "lib/", "lib/x", "lib/d/", "lib/d/1"),
            Package("a-amd64-1-1", "lib/", "lib/x/", "lib/x/y"),
            Package("c-i686-1-1", "lib/", "lib/d/", "lib/d/1"),
        ];
        var forward = ExchangeTreeBuilder.Build(packages, NoPins);
        var backward = ExchangeTreeBuilder.Build(packages.Reverse(), NoPins);

        Assert.Equal(Describe(forward), Describe(backward));
        Assert.True(Walk(forward, "lib/x").IsDirectory);
        Assert.Equal(2, forward.Conflicts.Count);
    }

    [Fact]
    public void Hostile_paths_are_left_out()
    {
        var tree = ExchangeTreeBuilder.Build([Package("evil-amd64-1-1", "bin/", "bin/../../etc/passwd", "bin//x", "bin/ok")], NoPins);

        Assert.Equal(["ok"], Walk(tree, "bin").Children.Select(c => Encoding.UTF8.GetString(c.Name)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_overlapping_packages_merge_as_a_naive_walk_of_every_path_says(int seed)
    {
        // Packages in conflict order (names sort a0 < a1 < ...), each with a random subset of a small path space in
        // which the same path is a file in some packages and a directory in others; listed in a random order.
        var random = new Random(seed);
        string[] names = ["x", "x-y", "y", "y.z"];
        var packages = new List<(string FullName, Dictionary<string, bool> Entries)>();
        for (int p = 0; p < 5; p++)
        {
            var entries = new Dictionary<string, bool>(StringComparer.Ordinal);
            void Add(string path, int depth)
            {
                bool directory = depth < 3 && random.Next(3) > 0;
                entries[path] = directory;
                if (directory)
                {
                    foreach (string name in names.Where(_ => random.Next(2) == 0))
                    {
                        Add(path + "/" + name, depth + 1);
                    }
                }
            }

            foreach (string top in new[] { "bin", "lib", "share" }.Where(_ => random.Next(3) > 0))
            {
                entries[top] = true;
                foreach (string name in names.Where(_ => random.Next(2) == 0))
                {
                    Add(top + "/" + name, 2);
                }
            }

            packages.Add(($"a{p}-amd64-1-1", entries));
        }

        var tree = ExchangeTreeBuilder.Build(
            packages.Select(p => (PackageName.Parse(p.FullName), new PackageManifest(
                [.. p.Entries.OrderBy(_ => random.Next()).Select(e => new ManifestEntry(Encoding.UTF8.GetBytes(e.Key), e.Value))]))),
            NoPins);

        // The oracle: a path shows when no ancestor's winner is a file; it is a link to its winner when that is a file.
        (string FullName, bool Directory)? Winner(string path) =>
            packages.Where(p => p.Entries.ContainsKey(path)).Select(p => ((string, bool)?)(p.FullName, p.Entries[path])).FirstOrDefault();
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in packages.SelectMany(p => p.Entries.Keys).Distinct())
        {
            string[] parts = path.Split('/');
            bool hidden = Enumerable.Range(1, parts.Length - 1).Any(n => Winner(string.Join('/', parts.Take(n))) is { Directory: false });
            if (!hidden)
            {
                var winner = Winner(path)!.Value;
                expected.Add(winner.Directory ? $"{path} /" : $"{path} {string.Concat(Enumerable.Repeat("../", parts.Length - 1))}{winner.FullName}/{path}");
            }
        }

        var actual = new SortedSet<string>(StringComparer.Ordinal);
        void Collect(ExchangeNode node, string path)
        {
            actual.Add(node.IsDirectory ? $"{path} /" : $"{path} {Encoding.UTF8.GetString(node.LinkTarget!)}");
            Assert.Equal(node.Children.Select(c => Encoding.UTF8.GetString(c.Name)).Order(StringComparer.Ordinal), node.Children.Select(c => Encoding.UTF8.GetString(c.Name)));
            foreach (var child in node.Children)
            {
                Collect(child, path + "/" + Encoding.UTF8.GetString(child.Name));
            }
        }

        foreach (var root in tree.Roots)
        {
            Collect(root, Encoding.UTF8.GetString(root.Name));
        }

        Assert.Equal(expected, actual);
        Assert.Equal(
            ["bin", "lib", "share"],
            tree.Roots.Select(r => Encoding.UTF8.GetString(r.Name)).Order(StringComparer.Ordinal));
    }

    private static string Describe(ExchangeTree tree) =>
        string.Join("\n", tree.AllNodes().Select(n => Encoding.UTF8.GetString(n.Name) + " " + (n.LinkTarget is null ? "/" : Encoding.UTF8.GetString(n.LinkTarget))))
        + string.Join("\n", tree.Conflicts.Select(c => $"{c.Path} {c.Winner} {string.Join(",", c.Losers)}"));
}
