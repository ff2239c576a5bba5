using Distrid.Generations;
using Distrid.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distrid.Tests.Generations;

/// <summary>GenerationStore's reading and recovery on a plain directory: no daemon, no root.</summary>
public sealed class GenerationStoreTests : IDisposable
{
    private readonly TempDirectory _state = new("distrid-generations");

    private string StatePath => _state.Path;

    private GenerationStore NewStore() => new(StatePath, NullLogger<GenerationStore>.Instance);

    private static Generation Make(int number, params string[] packages) => new()
    {
        Number = number,
        Packages = packages,
        Requested = packages,
        Description = $"test {number}",
    };

    [Fact]
    public void No_current_is_absent_and_reads_as_no_generation()
    {
        var store = NewStore();
        Assert.Equal(GenerationReadState.Absent, store.ReadCurrent().State);
        Assert.Null(store.Current);
        Assert.Equal(1, store.NextNumber);
    }

    [Fact]
    public void A_committed_generation_reads_back_with_the_current_format()
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        Generation current = Assert.IsType<Generation>(store.Current);
        Assert.Equal(1, current.Number);
        Assert.Equal(Generation.CurrentFormat, current.Format);
        Assert.Contains("\"format\": 1", File.ReadAllText(Path.Combine(StatePath, "generations", "1.json")));
    }

    [Fact]
    public void A_file_without_a_format_as_written_before_it_existed_loads_as_format_1()
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        File.WriteAllText(Path.Combine(StatePath, "generations", "1.json"), """
            {
              "number": 1,
              "packages": [ "a-amd64-1-1" ],
              "requested": [ "a-amd64-1-1" ],
              "pins": {},
              "created": "2026-01-01T00:00:00+00:00",
              "description": "install a"
            }
            """);
        Generation current = Assert.IsType<Generation>(NewStore().Current);
        Assert.Equal(1, current.Format);
        Assert.Equal(["a-amd64-1-1"], current.Packages);
    }

    [Theory]
    [InlineData("{ \"number\": 2, \"packa", "is unreadable")]
    [InlineData("", "is unreadable")]
    [InlineData("null", "holds no generation")]
    [InlineData("{ \"format\": 2, \"number\": 2, \"packages\": [] }", "has format 2")]
    [InlineData("{ \"number\": 7, \"packages\": [] }", "says it is generation 7")]
    [InlineData("{ \"number\": 2, \"packages\": null }", "lacks its package lists")]
    public void A_corrupt_current_is_unreadable_never_absent_and_recovery_changes_nothing(string content, string problem)
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        store.Commit("t2", Make(2, "a-amd64-1-1", "b-amd64-1-1"));
        string second = Path.Combine(StatePath, "generations", "2.json");
        File.WriteAllText(second, content);
        string leftover = Path.Combine(StatePath, "generations", ".3.json.tmp");
        File.WriteAllText(leftover, "half");
        string before = Snapshot();

        var read = store.ReadCurrent();
        Assert.Equal(GenerationReadState.Unreadable, read.State);
        Assert.Equal(second, read.Path);
        Assert.Contains(problem, read.Problem);
        var error = Assert.Throws<UnreadableGenerationException>(() => store.Current);
        Assert.Contains(second, error.Message);
        Assert.Throws<UnreadableGenerationException>(store.Recover);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void The_way_back_names_the_file_and_the_previous_committed_generation()
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        store.Commit("t2", Make(2, "b-amd64-1-1"));
        store.Commit("t3", Make(3, "c-amd64-1-1"));
        store.MakeCurrent("rollback", 1);
        store.Commit("t4", Make(4, "d-amd64-1-1"));
        File.WriteAllText(Path.Combine(StatePath, "generations", "4.json"), "{");

        string line = store.DescribeUnreadableCurrent(store.ReadCurrent());
        // Generation 1 was current just before 4 (the journal's order), not 3 (the highest number).
        Assert.Contains(Path.Combine(StatePath, "generations", "4.json"), line);
        Assert.Contains($"ln -sfn generations/1.json {Path.Combine(StatePath, "current")}", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Following_the_way_back_makes_the_previous_generation_current_again()
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        store.Commit("t2", Make(2, "b-amd64-1-1"));
        File.WriteAllText(Path.Combine(StatePath, "generations", "2.json"), "garbage");
        string line = store.DescribeUnreadableCurrent(store.ReadCurrent());
        Assert.Contains("ln -sfn generations/1.json", line);

        using (var ln = System.Diagnostics.Process.Start("ln", ["-sfn", "generations/1.json", Path.Combine(StatePath, "current")]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        Assert.Equal(1, NewStore().Current?.Number);
    }

    [Fact]
    public void A_current_link_to_a_missing_file_is_unreadable()
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        File.Delete(Path.Combine(StatePath, "generations", "1.json"));

        var read = store.ReadCurrent();
        Assert.Equal(GenerationReadState.Unreadable, read.State);
        Assert.Contains("does not exist", read.Problem);
        Assert.Contains("no other generation is readable", store.DescribeUnreadableCurrent(read));
    }

    [Fact]
    public void Recovery_removes_a_generation_that_never_became_current_and_keeps_the_current_one()
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        File.WriteAllText(Path.Combine(StatePath, "generations", "2.json"), "{ \"number\": 2, \"packages\": [] }");
        store.BeginTransaction("t2", "install b");

        store.Recover();

        Assert.False(File.Exists(Path.Combine(StatePath, "generations", "2.json")));
        Assert.Equal(1, store.Current?.Number);
        Assert.Contains("\"abort\"", File.ReadAllText(Path.Combine(StatePath, "journal.log")));
    }

    [Fact]
    public void Get_tells_a_missing_generation_from_an_unreadable_one()
    {
        var store = NewStore();
        store.Commit("t1", Make(1, "a-amd64-1-1"));
        store.Commit("t2", Make(2, "b-amd64-1-1"));
        File.WriteAllText(Path.Combine(StatePath, "generations", "1.json"), "{");

        Assert.Null(store.Get(5));
        Assert.Throws<UnreadableGenerationException>(() => store.Get(1));
        Assert.Equal([2], store.List().Select(g => g.Number));
    }

    /// <summary>Every file and link under the state directory with its content or target.</summary>
    private string Snapshot() => string.Join('\n', Directory.EnumerateFileSystemEntries(StatePath, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => new FileInfo(p) is { LinkTarget: { } target } ? $"{p} -> {target}" : Directory.Exists(p) ? p + "/" : $"{p}: {File.ReadAllText(p)}"));

    public void Dispose() => _state.Dispose();
}
