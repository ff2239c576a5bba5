using System.Text.Json;
using Distri.Core.Repository;
using Distrid.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.Repository;

/// <summary>The config file's repository lists are rewritten alone: other settings, unknown keys and comments stay,
/// and a file that does not parse is never replaced.</summary>
public sealed class RepositoryConfigFileTests
{
    [Fact]
    public void Writing_the_lists_keeps_every_other_key_nested_values_and_comments()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "distrid.json");
        File.WriteAllText(path, """
            {
              // a line comment that says */ in it
              "store": "/roimg",
              /* a block comment */
              "futureSetting": { "nested": [1, 2.5e3, true, null, "x\u00e9"] },
              "repos": ["http://a.example/"],
              "downloadParallelism": 3,
            }
            """);
        var file = new RepositoryConfigFile(path);
        Assert.Equal("http://a.example/ |", Lists(file));

        file.Write(["http://a.example/", "http://b.example/"], ["http://c.example/"]);

        string written = File.ReadAllText(path);
        Assert.Contains("a line comment that says * / in it", written);
        Assert.Contains("a block comment", written);
        using var document = JsonDocument.Parse(written, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        Assert.Equal("/roimg", root.GetProperty("store").GetString());
        Assert.Equal(3, root.GetProperty("downloadParallelism").GetInt32());
        Assert.Equal("[1,2.5e3,true,null,\"x\u00e9\"]", JsonSerializer.Serialize(root.GetProperty("futureSetting").GetProperty("nested")).Replace("\\u00E9", "\u00e9"));
        Assert.Equal("http://a.example/ http://b.example/ | http://c.example/", Lists(file));

        // An empty disabled list stays written once the key exists; the lists can shrink to nothing.
        file.Write([], []);
        Assert.Equal(" |", Lists(file));
        Assert.Contains("futureSetting", File.ReadAllText(path));
    }

    [Fact]
    public void A_missing_file_is_created_with_the_lists_alone()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "etc", "distrid.json");
        var file = new RepositoryConfigFile(path);
        Assert.Equal(" |", Lists(file));
        file.Write(["http://a.example/"], []);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(["repos"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("{ \"repos\": [ ")]
    [InlineData("[\"http://a.example/\"]")]
    [InlineData("{} {}")]
    [InlineData("{ \"repos\": \"http://a.example/\" }")]
    [InlineData("{ \"repos\": [1] }")]
    public void A_file_that_is_not_a_json_object_with_url_lists_is_never_replaced(string contents)
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "distrid.json");
        File.WriteAllText(path, contents);
        var file = new RepositoryConfigFile(path);
        var error = Assert.Throws<RepositoryException>(() =>
        {
            file.Read();
            file.Write(["http://b.example/"], []);
        });
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(contents, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    /// <summary>"enabled... | disabled..." for one comparable string.</summary>
    private static string Lists(RepositoryConfigFile file)
    {
        var (enabled, disabled) = file.Read();
        return $"{string.Join(' ', enabled)} | {string.Join(' ', disabled)}".TrimEnd();
    }
}
