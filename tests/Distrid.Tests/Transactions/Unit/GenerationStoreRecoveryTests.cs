using Distrid.Generations;
using Distrid.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static Distrid.Tests.Transactions.Unit.Catalogs;

namespace Distrid.Tests.Transactions.Unit;

/// <summary>
/// What <see cref="GenerationStore.Recover"/> makes of the states a crash can leave between writing a generation,
/// renaming <c>current</c> and appending the journal line; and the numbering and deletion rules.
/// </summary>
public sealed class GenerationStoreRecoveryTests : IDisposable
{
    private readonly TempDirectory _state = new("distrid-test-generations");

    public void Dispose() => _state.Dispose();

    private string GenerationsDirectory => Path.Combine(_state.Path, "generations");

    private GenerationStore Open() => new(_state.Path, NullLogger<GenerationStore>.Instance);

    private IReadOnlyList<JournalRecord> Journal() => new Journal(Path.Combine(_state.Path, "journal.log")).ReadAll();

    /// <summary>A generation file as a commit writes it (whatever its format), but neither current nor journaled:
    /// written by a store in another directory and moved in, as a crash right after the durable write leaves it.</summary>
    private void WriteUncommitted(Generation generation)
    {
        using var elsewhere = new TempDirectory("distrid-test-generations");
        new GenerationStore(elsewhere.Path, NullLogger<GenerationStore>.Instance).Commit("elsewhere", generation);
        string name = $"{generation.Number}.json";
        File.Copy(Path.Combine(elsewhere.Path, "generations", name), Path.Combine(GenerationsDirectory, name));
    }

    [Fact]
    public void A_generation_written_but_never_made_current_is_removed_and_the_committed_ones_stay()
    {
        var store = Open();
        store.Commit("t1", Generation(1, [], []));
        store.Commit("t2", Generation(2, ["zsh-amd64-5.9-1"], ["zsh-amd64-5.9-1"]));
        // A crash after the generation file was written durably, before the rename of current.
        WriteUncommitted(Generation(3, ["fish-amd64-3.7-1"], ["fish-amd64-3.7-1"]));
        Assert.Equal(3, store.List().Count);

        Open().Recover();

        var recovered = Open();
        Assert.Equal([1, 2], recovered.List().Select(g => g.Number));
        Assert.Equal(2, recovered.Current!.Number);
        Assert.Equal(["zsh-amd64-5.9-1"], recovered.Current.Packages);
        Assert.False(File.Exists(Path.Combine(GenerationsDirectory, "3.json")));
    }

    [Fact]
    public void A_rename_without_its_journal_line_counts_as_committed()
    {
        var store = Open();
        store.Commit("t1", Generation(1, [], []));
        store.Commit("t2", Generation(2, [], []));
        WriteUncommitted(Generation(3, ["fish-amd64-3.7-1"], ["fish-amd64-3.7-1"]));
        // The rename of current happened, the crash came before the journal line.
        string current = Path.Combine(_state.Path, "current");
        File.Delete(current);
        File.CreateSymbolicLink(current, Path.Combine("generations", "3.json"));

        Open().Recover();

        var recovered = Open();
        Assert.Equal(3, recovered.Current!.Number);
        Assert.Equal(["fish-amd64-3.7-1"], recovered.Current.Packages);
        Assert.Equal([1, 2, 3], recovered.List().Select(g => g.Number));
        Assert.True(File.Exists(Path.Combine(GenerationsDirectory, "3.json")));
        Assert.Contains(Journal(), r => r.Event == JournalRecord.Commit && r.Transaction == "recovery" && r.Generation == 3);
    }

    [Fact]
    public void A_switch_whose_journal_line_never_came_is_a_commit_after_recovery()
    {
        // The window a transaction leaves open while it publishes: current is switched, the journal line not yet written.
        var store = Open();
        store.Commit("t1", Generation(1, [], []));
        store.BeginTransaction("t2", "install fish");
        store.Prepare(Generation(2, ["fish-amd64-3.7-1"], ["fish-amd64-3.7-1"]));
        store.NamePrepared(2);
        store.SwitchCurrent(2);
        Assert.DoesNotContain(Journal(), r => r.Event == JournalRecord.Commit && r.Generation == 2);

        Open().Recover();

        var recovered = Open();
        Assert.Equal(2, recovered.Current!.Number);
        Assert.Equal([1, 2], recovered.List().Select(g => g.Number));
        Assert.Contains(Journal(), r => r.Event == JournalRecord.Commit && r.Transaction == "recovery" && r.Generation == 2);
    }

    [Fact]
    public void Temporary_files_go_and_an_open_transaction_is_recorded_as_aborted_once()
    {
        var store = Open();
        store.Commit("t1", Generation(1, [], []));
        store.BeginTransaction("t2", "install zsh");
        File.WriteAllText(Path.Combine(GenerationsDirectory, ".2.json.tmp"), "half");
        File.WriteAllText(Path.Combine(_state.Path, ".current.tmp"), "half");

        Open().Recover();
        Open().Recover();

        Assert.Empty(Directory.GetFiles(GenerationsDirectory, ".*"));
        Assert.Empty(Directory.GetFiles(_state.Path, ".*"));
        var aborts = Journal().Where(r => r.Event == JournalRecord.Abort).ToList();
        var abort = Assert.Single(aborts);
        Assert.Equal("t2", abort.Transaction);
        Assert.Equal(1, Open().Current!.Number);
    }

    [Fact]
    public void Numbers_are_never_reused_after_a_rollback_and_the_current_generation_cannot_be_deleted()
    {
        var store = Open();
        store.Commit("t1", Generation(1, [], []));
        store.Commit("t2", Generation(2, [], []));
        store.MakeCurrent("t3", 1);

        Assert.Equal(1, store.Current!.Number);
        Assert.Equal(3, store.NextNumber);
        Assert.Throws<InvalidOperationException>(() => store.Delete(1));
        Assert.Throws<InvalidOperationException>(() => store.MakeCurrent("t4", 9));

        store.Delete(2);
        Assert.Null(store.Get(2));
        Assert.Equal([1], store.List().Select(g => g.Number));
    }

    [Fact]
    public void Before_the_first_commit_there_is_no_current_generation_and_recovery_changes_nothing()
    {
        var store = Open();

        store.Recover();

        Assert.Null(store.Current);
        Assert.Empty(store.List());
        Assert.Equal(1, store.NextNumber);
        Assert.Empty(Journal());
    }
}
