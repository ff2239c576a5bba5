using System.Text;
using Distri.Core.Repository;

namespace Distri.Core.Tests.Repository;

public sealed class IndexValidationTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static string Index(string entry) =>
        $$"""{"formatVersion":1,"generated":"2026-01-01T00:00:00+00:00","packages":[{{entry}}]}""";

    private static string Entry(string name = "zsh-amd64-5.9-3", long size = 100, string sha = Sha, string deps = "[]", string zst = "") =>
        $$"""{"fullName":"{{name}}","summary":"s","dependencies":{{deps}},"size":{{size}},"sha256":"{{sha}}"{{zst}}}""";

    [Fact]
    public void A_valid_index_parses_and_round_trips()
    {
        var index = RepositoryIndex.Parse(Encoding.UTF8.GetBytes(Index(Entry(deps: "[\"libc-amd64-2.36-1\"]", zst: $",\"zst\":{{\"size\":50,\"sha256\":\"{Sha}\"}}"))));
        var entry = Assert.Single(index.Packages);
        Assert.Equal("zsh-amd64-5.9-3", entry.FullName);
        Assert.Equal(["libc-amd64-2.36-1"], entry.Dependencies);
        Assert.Equal(50, entry.Zst!.Size);
        Assert.Equal(100, entry.Metadata.Size);
        Assert.Same(entry, index.Find("zsh-amd64-5.9-3"));

        var again = RepositoryIndex.Parse(index.ToUtf8Json());
        Assert.Equal(index.ToUtf8Json(), again.ToUtf8Json());
    }

    [Theory]
    [InlineData("../zsh-amd64-5.9-3", "full name contains '/', NUL or '..'")]
    [InlineData("a/b-amd64-5.9-3", "full name contains '/', NUL or '..'")]
    [InlineData("zsh-sparc-5.9-3", "unknown architecture")]
    [InlineData("zsh", "not a package full name")]
    public void Bad_names_reject_the_whole_index(string name, string reason)
    {
        var error = Assert.Throws<RepositoryException>(() => RepositoryIndex.Parse(Encoding.UTF8.GetBytes(Index(Entry(name)))));
        Assert.StartsWith($"index.json: package #0 '{name}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, Sha, "[]", "size 0 is not between 1 and")]
    [InlineData(-5, Sha, "[]", "size -5 is not")]
    [InlineData(1L << 40, Sha, "[]", "is not between 1 and")]
    [InlineData(100, "abc", "[]", "sha256 'abc' is not 64 lowercase hex digits")]
    [InlineData(100, "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "[]", "is not 64 lowercase hex")]
    [InlineData(100, Sha, "[\"../x-amd64-1-1\"]", "dependency")]
    [InlineData(100, Sha, "[\"libc\"]", "dependency 'libc' is not a package full name")]
    public void Bad_entries_reject_the_whole_index_naming_the_entry(long size, string sha, string deps, string reason)
    {
        var error = Assert.Throws<RepositoryException>(() => RepositoryIndex.Parse(Encoding.UTF8.GetBytes(Index(Entry(size: size, sha: sha, deps: deps)))));
        Assert.StartsWith("index.json: package #0 'zsh-amd64-5.9-3': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Duplicate_entries_are_rejected()
    {
        var error = Assert.Throws<RepositoryException>(() => RepositoryIndex.Parse(Encoding.UTF8.GetBytes(Index(Entry() + "," + Entry()))));
        Assert.Equal("index.json: package #1 'zsh-amd64-5.9-3': listed twice", error.Message);
    }

    [Fact]
    public void Bad_zst_entry_is_rejected()
    {
        var error = Assert.Throws<RepositoryException>(() => RepositoryIndex.Parse(Encoding.UTF8.GetBytes(Index(Entry(zst: ",\"zst\":{\"size\":0,\"sha256\":\"x\"}")))));
        Assert.Contains("zst: size 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("{\"formatVersion\":2,\"generated\":\"2026-01-01T00:00:00Z\",\"packages\":[]}")]
    [InlineData("{\"formatVersion\":1,\"generated\":\"2026-01-01T00:00:00Z\",\"packages\":null}")]
    [InlineData("{\"formatVersion\":1,\"generated\":\"2026-01-01T00:00:00Z\",\"packages\":[null]}")]
    [InlineData("{\"formatVersion\":1,\"packages\":[]}")]
    public void Malformed_indexes_give_one_line_errors(string json)
    {
        var error = Assert.Throws<RepositoryException>(() => RepositoryIndex.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.StartsWith("index.json: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_names_are_not_echoed()
    {
        var error = Assert.Throws<RepositoryException>(() => RepositoryIndex.Parse(Encoding.UTF8.GetBytes(Index(Entry("a\\nb-amd64-1-1")))));
        Assert.DoesNotContain('\n', error.Message);
    }
}
