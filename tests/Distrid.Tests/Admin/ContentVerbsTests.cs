namespace Distrid.Tests.Admin;

/// <summary><c>files</c>, <c>owns</c>, <c>why</c> and <c>list</c>'s explicit marks against a real daemon, mirror and /ro mount.</summary>
public sealed class ContentVerbsTests
{
    [Fact]
    public async Task Files_and_owns_agree_with_the_image_contents_and_the_exchange_directories_including_a_conflict()
    {
        await using var system = AdminSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await system.RunAsync("install", "app", "tool");
        string ro = system.Paths.Mountpoint;

        // files: exactly the tree that was packed, and what it shows in the exchange directories.
        var app = await system.JsonAsync("files", "app");
        Assert.Equal("app-amd64-1-1", app.GetProperty("fullName").GetString());
        Assert.True(app.GetProperty("installed").GetBoolean());
        var files = app.GetProperty("files").EnumerateArray().ToList();
        string[] expected = ["bin", "bin/app", "bin/shared", "share", "share/doc", "share/doc/app", "share/doc/app/README", "share/doc/app/link"];
        Assert.Equal(expected, files.Select(f => f.GetProperty("path").GetString()).Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            string path = file.GetProperty("path").GetString()!;
            string onMount = Path.Combine(ro, "app-amd64-1-1", path);
            switch (file.GetProperty("kind").GetString())
            {
                case "directory":
                    Assert.True(Directory.Exists(onMount), onMount);
                    break;
                case "symlink":
                    Assert.Equal(new FileInfo(onMount).LinkTarget, file.GetProperty("target").GetString());
                    break;
                default:
                    Assert.Equal(new FileInfo(onMount).Length, file.GetProperty("size").GetInt64());
                    Assert.Equal(AdminSystem.App[path].Length, file.GetProperty("size").GetInt64());
                    break;
            }

            if (file.TryGetProperty("exchange", out var exchange))
            {
                // The exchange path it names is a link to exactly this entry.
                string up = string.Concat(Enumerable.Repeat("../", path.Count(c => c == '/')));
                Assert.Equal($"{up}app-amd64-1-1/{path}", new FileInfo(exchange.GetString()!).LinkTarget);
            }
        }

        Assert.Equal(Path.Combine(ro, "bin/shared"), files.Single(f => f.GetProperty("path").GetString() == "bin/shared").GetProperty("exchange").GetString());
        var tool = await system.JsonAsync("files", "tool-amd64-1-1");
        var toolShared = tool.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == "bin/shared");
        Assert.False(toolShared.TryGetProperty("exchange", out _), "tool lost bin/shared, so /ro/bin/shared does not show its copy");
        string plain = (await system.RunAsync("files", "app")).Stdout;
        Assert.Contains($"{ro}/app-amd64-1-1/bin/app  (as {ro}/bin/app)", plain);

        // owns: the winner of the conflict, and the loser named.
        var shared = await system.JsonAsync("owns", Path.Combine(ro, "bin/shared"));
        Assert.Equal("app-amd64-1-1", shared.GetProperty("owner").GetString());
        Assert.Equal(["tool-amd64-1-1"], shared.GetProperty("losers").Strings());
        Assert.Equal(Path.Combine(ro, "app-amd64-1-1/bin/shared"), shared.GetProperty("packagePath").GetString());
        Assert.Equal("shared from app", (await File.ReadAllTextAsync(Path.Combine(ro, "bin/shared"))).Split('\'')[1]);
        string sharedLine = (await system.RunAsync("owns", Path.Combine(ro, "bin/shared"))).Stdout;
        Assert.Contains("also provided by tool-amd64-1-1, which lost the conflict", sharedLine);

        var toolOwner = await system.JsonAsync("owns", Path.Combine(ro, "bin/tool"));
        Assert.Equal("tool-amd64-1-1", toolOwner.GetProperty("owner").GetString());
        Assert.Empty(toolOwner.GetProperty("losers").EnumerateArray());
        Assert.Equal("base-amd64-1-1", (await system.JsonAsync("owns", "lib/libbase.txt")).GetProperty("owner").GetString());

        var lib = await system.JsonAsync("owns", Path.Combine(ro, "lib"));
        Assert.False(lib.TryGetProperty("owner", out _));
        Assert.Equal(["base-amd64-1-1", "mid-amd64-1-1"], lib.GetProperty("providers").Strings().Order(StringComparer.Ordinal));

        var inPackage = await system.JsonAsync("owns", Path.Combine(ro, "tool-amd64-1-1/bin/shared"));
        Assert.Equal("tool-amd64-1-1", inPackage.GetProperty("owner").GetString());
        Assert.False(inPackage.GetProperty("exchange").GetBoolean());

        Assert.Contains("no package of the current generation provides", await system.FailsAsync("owns", Path.Combine(ro, "bin/nothing")));
        Assert.Contains("is not under", await system.FailsAsync("owns", "/etc/passwd"));
        Assert.Contains("'.' or '..'", await system.FailsAsync("owns", Path.Combine(ro, "bin/../lib/libbase.txt")));

        // An offered package whose image is not in the store: said plainly, with what would be needed.
        string notStored = await system.FailsAsync("files", "extra");
        Assert.Contains("extra-amd64-1-1", notStored);
        Assert.Contains("not in the store", notStored);
        Assert.Contains("districtl install extra-amd64-1-1", notStored);
    }

    [Fact]
    public async Task Why_prints_the_chains_through_a_shared_dependency_and_list_marks_explicit_packages()
    {
        await using var system = AdminSystem.Create();
        if (system is null)
        {
            return;
        }

        await system.StartDaemonAsync();
        await system.RunAsync("install", "app");
        await system.RunAsync("install", "tool");

        var why = await system.JsonAsync("why", "base");
        Assert.Equal("base-amd64-1-1", why.GetProperty("fullName").GetString());
        Assert.False(why.GetProperty("explicit").GetBoolean());
        var chains = why.GetProperty("chains").EnumerateArray().Select(c => string.Join(" -> ", c.Strings())).ToList();
        Assert.Equal(["app-amd64-1-1 -> mid-amd64-1-1 -> base-amd64-1-1", "tool-amd64-1-1 -> mid-amd64-1-1 -> base-amd64-1-1"], chains);
        string plain = (await system.RunAsync("why", "base")).Stdout;
        Assert.Contains("app-amd64-1-1 -> mid-amd64-1-1 -> base-amd64-1-1", plain);
        Assert.Contains("tool-amd64-1-1 -> mid-amd64-1-1 -> base-amd64-1-1", plain);

        var appWhy = await system.JsonAsync("why", "app");
        Assert.True(appWhy.GetProperty("explicit").GetBoolean());
        Assert.Contains("is installed explicitly", (await system.RunAsync("why", "app")).Stdout);

        var marks = (await system.JsonAsync("list")).EnumerateArray().ToDictionary(p => p.GetProperty("fullName").GetString()!, p => p.GetProperty("explicit").GetBoolean());
        Assert.Equal(new Dictionary<string, bool>
        {
            ["app-amd64-1-1"] = true,
            ["base-amd64-1-1"] = false,
            ["mid-amd64-1-1"] = false,
            ["tool-amd64-1-1"] = true,
        }, marks);
        Assert.Contains("base-amd64-1-1\t", (await system.RunAsync("list")).Stdout.Split('\n').Single(l => l.StartsWith("base-amd64-1-1", StringComparison.Ordinal)));
        Assert.EndsWith("\tdependency", (await system.RunAsync("list")).Stdout.Split('\n').Single(l => l.StartsWith("base-amd64-1-1", StringComparison.Ordinal)));

        // Asking for a dependency explicitly marks it explicit, as apt's "manual" mark does; removing the program
        // that pulled it in then keeps it.
        await system.RunAsync("install", "mid");
        Assert.True((await system.JsonAsync("why", "mid")).GetProperty("explicit").GetBoolean());
        await system.RunAsync("remove", "app", "tool");
        Assert.Equal(["base-amd64-1-1", "mid-amd64-1-1"], (await system.JsonAsync("list")).EnumerateArray().Select(p => p.GetProperty("fullName").GetString()).Order(StringComparer.Ordinal));
        Assert.Contains("is not installed", await system.FailsAsync("why", "app"));
    }
}
