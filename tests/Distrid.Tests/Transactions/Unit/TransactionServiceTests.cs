using Distri.Core.Packages;
using Distrid.Generations;
using Distrid.Hosting;
using Distrid.Protocol;
using Distrid.Store;
using Distrid.Tests.Support;
using Distrid.Transactions;
using Distrid.Transactions.Operations;
using Microsoft.Extensions.Logging.Abstractions;
using static Distrid.Tests.Transactions.Unit.Catalogs;

namespace Distrid.Tests.Transactions.Unit;

/// <summary>
/// <see cref="TransactionService"/> on a real state directory and a store of stand-in image files, with a publisher
/// that records what it is given instead of a FUSE mount and no repository: the commit, the journal, dry runs,
/// refusals that change nothing, one transaction at a time, rollback and gc.
/// </summary>
public sealed class TransactionServiceTests : IDisposable
{
    private readonly TempDirectory _root = new("distrid-test-transactions");
    private readonly PackageStore _store;
    private readonly GenerationStore _generations;
    private readonly RecordingPublisher _publisher = new();
    private readonly TransactionService _service;

    public TransactionServiceTests()
    {
        var options = new DaemonOptions { Store = Path.Combine(_root.Path, "store"), State = Path.Combine(_root.Path, "state") };
        _store = new PackageStore(options.Store, NullLogger<PackageStore>.Instance);
        _generations = new GenerationStore(options.State, NullLogger<GenerationStore>.Instance);
        _generations.Commit("first", Generation(1, [], []));
        _service = new TransactionService(_store, _generations, _publisher, NullLogger<TransactionService>.Instance);
        AddImage("tool-amd64-1.0-1", "lib-amd64-1-1");
        AddImage("lib-amd64-1-1");
        AddImage("zsh-amd64-5.9-1");
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Install_commits_the_closure_as_the_next_generation_journals_it_and_publishes_it()
    {
        var outcome = await RunAsync(new InstallOperation(["tool"], []));

        Assert.True(outcome.Changed);
        Assert.Equal((1, 2), (outcome.PreviousGeneration, outcome.Generation));
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1"], outcome.Added.Order());
        Assert.Empty(outcome.Downloaded);
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1"], _generations.Current!.Packages);
        Assert.Equal(2, Assert.Single(_publisher.Published).Number);
        var records = Journal();
        Assert.Equal([JournalRecord.Begin, JournalRecord.Commit], records.Skip(1).Select(r => r.Event));
        Assert.Equal("install tool", records[1].Description);
        Assert.Equal(2, records[2].Generation);
        Assert.Null(_service.Running);
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_happen_and_changes_nothing()
    {
        var outcome = await RunAsync(new InstallOperation(["tool", "zsh"], []), TransactionMode.DryRun);

        Assert.True(outcome.DryRun);
        Assert.Equal(2, outcome.Generation);
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1", "zsh-amd64-5.9-1"], outcome.Added.Order());
        Assert.Equal(1, _generations.Current!.Number);
        Assert.Equal(2, _generations.NextNumber);
        Assert.Empty(_publisher.Published);
        Assert.Single(Journal());
    }

    [Fact]
    public async Task An_update_with_nothing_newer_commits_nothing()
    {
        await RunAsync(new InstallOperation(["zsh"], []));

        var outcome = await RunAsync(new UpdateOperation());

        Assert.False(outcome.Changed);
        Assert.Equal(2, outcome.Generation);
        Assert.Equal(3, _generations.NextNumber);
        Assert.Single(_publisher.Published);
    }

    [Fact]
    public async Task A_refused_plan_journals_nothing_and_the_next_transaction_runs()
    {
        var error = await Assert.ThrowsAsync<TransactionException>(() => RunAsync(new RemoveOperation(["zsh"])));

        Assert.Equal(TransactionError.NotInstalled, error.Error);
        Assert.Equal(1, _generations.Current!.Number);
        Assert.Single(Journal());
        Assert.Empty(_publisher.Published);
        Assert.True((await RunAsync(new InstallOperation(["zsh"], []))).Changed);
    }

    [Fact]
    public async Task A_second_transaction_while_one_plans_is_refused_as_busy_naming_the_first()
    {
        using var blocking = new BlockingOperation();
        var first = Task.Run(() => RunAsync(blocking));
        Assert.True(blocking.Planning.Wait(TimeSpan.FromSeconds(30)), "the first transaction never started planning");

        var busy = await Assert.ThrowsAsync<TransactionException>(() => RunAsync(new InstallOperation(["zsh"], [])));
        Assert.Equal(TransactionError.Busy, busy.Error);
        Assert.Equal("busy: another transaction is running (blocking)", busy.Message);
        Assert.Equal("blocking", _service.Running);

        blocking.Release.Set();
        Assert.False((await first).Changed);
        Assert.Null(_service.Running);
    }

    [Fact]
    public async Task Gc_deletes_old_generations_and_unnamed_images_and_rollback_then_has_nowhere_to_go()
    {
        await RunAsync(new InstallOperation(["tool"], []));
        await RunAsync(new RemoveOperation(["tool"]));
        var rolledBack = await RunAsync(new RollbackOperation(null));
        Assert.Equal((3, 2), (rolledBack.PreviousGeneration, rolledBack.Generation));
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1"], rolledBack.Added.Order());
        Assert.Equal(2, _generations.Current!.Number);
        await RunAsync(new RemoveOperation(["tool"]));

        var gc = await RunAsync(new GcOperation(keep: 1));

        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-1", "zsh-amd64-5.9-1"], gc.Deleted);
        Assert.Empty(_store.Scan());
        Assert.False(File.Exists(_store.MetadataPath("tool-amd64-1.0-1")));
        Assert.Equal([4], _generations.List().Select(g => g.Number));
        Assert.Equal(4, _publisher.Published[^1].Number);
        var error = await Assert.ThrowsAsync<TransactionException>(() => RunAsync(new RollbackOperation(null)));
        Assert.Equal(TransactionError.NoSuchGeneration, error.Error);
    }

    private Task<TransactionResult> RunAsync(TransactionOperation operation, TransactionMode mode = TransactionMode.Commit) =>
        _service.RunAsync(operation, mode, progress: null, CancellationToken.None);

    private IReadOnlyList<JournalRecord> Journal() => new Journal(Path.Combine(_root.Path, "state", "journal.log")).ReadAll();

    private void AddImage(string fullName, params string[] dependencies)
    {
        Directory.CreateDirectory(_store.Directory);
        File.WriteAllText(_store.ImagePath(fullName), $"stand-in image of {fullName}");
        PackageBuilder.WriteMetadata(Offered(fullName, dependencies), _store.MetadataPath(fullName));
    }

    private sealed class RecordingPublisher : IGenerationPublisher
    {
        public List<Generation> Published { get; } = [];

        public void Publish(Generation generation) => Published.Add(generation);
    }

    /// <summary>Plans nothing, but only once the test lets it: holds the service's lock meanwhile.</summary>
    private sealed class BlockingOperation : TransactionOperation, IDisposable
    {
        public ManualResetEventSlim Planning { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override string Description => "blocking";

        public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
        {
            Planning.Set();
            Release.Wait(TimeSpan.FromSeconds(60));
            return OperationPlan.Nothing;
        }

        public void Dispose()
        {
            Planning.Dispose();
            Release.Dispose();
        }
    }
}
