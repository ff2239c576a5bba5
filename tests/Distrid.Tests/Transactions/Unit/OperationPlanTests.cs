using Distrid.Generations;
using Distrid.Store;
using Distrid.Tests.Support;
using Distrid.Transactions;
using Distrid.Transactions.Operations;
using Microsoft.Extensions.Logging.Abstractions;
using static Distrid.Tests.Transactions.Unit.Catalogs;

namespace Distrid.Tests.Transactions.Unit;

/// <summary>
/// What each mutating operation decides, from a current generation and a catalog, with nothing downloaded or
/// committed: the next generation's requested set, closure and pins, or the generation to make current, or what gc
/// deletes, and the one-line refusals.
/// </summary>
public sealed class OperationPlanTests : IDisposable
{
    private readonly TempDirectory _state = new("distrid-test-plans");
    private readonly GenerationStore _generations;

    public OperationPlanTests()
    {
        _generations = new GenerationStore(_state.Path, NullLogger<GenerationStore>.Instance);
    }

    public void Dispose() => _state.Dispose();

    private static readonly StoredPackage[] Store =
    [
        Stored("tool-amd64-1.0-1", "lib-amd64-1-1"),
        Stored("lib-amd64-1-1"),
        Stored("zsh-amd64-5.9-1"),
    ];

    private static readonly Generation ToolInstalled =
        Generation(3, ["tool-amd64-1.0-1"], ["lib-amd64-1-1", "tool-amd64-1.0-1"]);

    [Fact]
    public void Install_requests_the_newest_revision_and_brings_its_closure()
    {
        var catalog = Of(Store, Offered("tool-amd64-1.0-2", "lib-amd64-1-1"));

        var plan = new InstallOperation(["tool", "zsh"], []).Plan(ToolInstalled, catalog, _generations);

        Assert.NotNull(plan.Next);
        Assert.Equal(["tool-amd64-1.0-2", "zsh-amd64-5.9-1"], plan.Next.Requested);
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-2", "zsh-amd64-5.9-1"], plan.Next.Packages);
        Assert.Equal("install tool zsh", plan.Next.Description);
        Assert.Null(plan.MakeCurrent);
        Assert.Empty(plan.DeleteImages);
    }

    [Fact]
    public void Install_of_a_local_image_uses_its_metadata_and_an_unknown_name_is_refused()
    {
        var local = new LocalImage("./x/hello-amd64-2-1.squashfs", Offered("hello-amd64-2-1", "lib-amd64-1-1"));
        var catalog = Of(Store, local.Metadata);

        var plan = new InstallOperation([local.Path], [local]).Plan(ToolInstalled, catalog, _generations);
        Assert.Equal(["hello-amd64-2-1", "tool-amd64-1.0-1"], plan.Next!.Requested);
        Assert.Equal(["hello-amd64-2-1", "lib-amd64-1-1", "tool-amd64-1.0-1"], plan.Next.Packages);
        Assert.False(new InstallOperation([local.Path], [local]).NeedsIndex);

        var error = Assert.Throws<TransactionException>(() => new InstallOperation(["fish"], []).Plan(ToolInstalled, catalog, _generations));
        Assert.Equal(TransactionError.NotFound, error.Error);
    }

    [Fact]
    public void Remove_drops_the_package_and_what_only_it_needed()
    {
        var current = Generation(3, ["tool-amd64-1.0-1", "zsh-amd64-5.9-1"], ["lib-amd64-1-1", "tool-amd64-1.0-1", "zsh-amd64-5.9-1"]);

        var plan = new RemoveOperation(["tool-amd64"]).Plan(current, Of(Store), _generations);

        Assert.Equal(["zsh-amd64-5.9-1"], plan.Next!.Requested);
        Assert.Equal(["zsh-amd64-5.9-1"], plan.Next.Packages);
    }

    [Fact]
    public void Remove_refuses_a_dependency_still_needed_and_a_package_not_installed()
    {
        var current = Generation(3, ["lib-amd64-1-1", "tool-amd64-1.0-1"], ["lib-amd64-1-1", "tool-amd64-1.0-1"]);

        var needed = Assert.Throws<TransactionException>(() => new RemoveOperation(["lib"]).Plan(current, Of(Store), _generations));
        Assert.Equal(TransactionError.Needed, needed.Error);
        Assert.Equal("lib-amd64-1-1 is needed by tool-amd64-1.0-1; remove that too", needed.Message);

        var absent = Assert.Throws<TransactionException>(() => new RemoveOperation(["zsh"]).Plan(current, Of(Store), _generations));
        Assert.Equal(TransactionError.NotInstalled, absent.Error);
        Assert.Equal("'zsh' is not installed", absent.Message);
    }

    [Fact]
    public void Remove_of_a_pinned_package_drops_its_pin()
    {
        var current = Generation(3, ["tool-amd64-1.0-1"], ["lib-amd64-1-1", "tool-amd64-1.0-1"], new() { ["tool"] = "tool-amd64-1.0-1" });

        var plan = new RemoveOperation(["tool-amd64-1.0-1"]).Plan(current, Of(Store), _generations);

        Assert.Empty(plan.Next!.Packages);
        Assert.Empty(plan.Next.Pins);
    }

    [Fact]
    public void Update_moves_to_the_newest_revision_but_leaves_pinned_names_and_does_nothing_when_current()
    {
        var catalog = Of(Store, Offered("tool-amd64-1.0-2", "lib-amd64-1-1"), Offered("zsh-amd64-5.9-4"));
        var current = Generation(3, ["tool-amd64-1.0-1", "zsh-amd64-5.9-1"], ["lib-amd64-1-1", "tool-amd64-1.0-1", "zsh-amd64-5.9-1"],
            new() { ["zsh"] = "zsh-amd64-5.9-1" });

        var plan = new UpdateOperation().Plan(current, catalog, _generations);
        Assert.Equal(["lib-amd64-1-1", "tool-amd64-1.0-2", "zsh-amd64-5.9-1"], plan.Next!.Packages);
        Assert.Equal("zsh-amd64-5.9-1", plan.Next.Pins["zsh"]);

        var updated = plan.Next with { Number = 4 };
        Assert.Same(OperationPlan.Nothing, new UpdateOperation().Plan(updated, catalog, _generations));
    }

    [Fact]
    public void Pin_holds_a_name_at_a_revision_and_unpin_releases_it()
    {
        var catalog = Of(Store, Offered("tool-amd64-1.0-2", "lib-amd64-1-1"));
        var current = Generation(3, ["tool-amd64-1.0-2"], ["lib-amd64-1-1", "tool-amd64-1.0-2"]);

        var pinned = new PinOperation("tool", "tool-amd64-1.0-1").Plan(current, catalog, _generations).Next!;
        Assert.Equal("tool-amd64-1.0-1", pinned.Pins["tool"]);
        Assert.Equal(["tool-amd64-1.0-1"], pinned.Requested);
        Assert.Equal("pin tool tool-amd64-1.0-1", pinned.Description);

        var released = new PinOperation("tool", null).Plan(pinned with { Number = 4 }, catalog, _generations).Next!;
        Assert.Empty(released.Pins);
        Assert.Equal(["tool-amd64-1.0-1"], released.Requested);
    }

    [Fact]
    public void Pin_refuses_another_names_package_an_unknown_revision_and_unpin_of_a_free_name()
    {
        var catalog = Of(Store);

        var wrongName = Assert.Throws<TransactionException>(() => new PinOperation("tool", "zsh-amd64-5.9-1").Plan(ToolInstalled, catalog, _generations));
        Assert.Equal(TransactionError.InvalidRequest, wrongName.Error);
        Assert.Equal("zsh-amd64-5.9-1 is not a package named 'tool'", wrongName.Message);

        var unknown = Assert.Throws<TransactionException>(() => new PinOperation("tool", "tool-amd64-9-9").Plan(ToolInstalled, catalog, _generations));
        Assert.Equal(TransactionError.NotFound, unknown.Error);

        var free = Assert.Throws<TransactionException>(() => new PinOperation("tool", null).Plan(ToolInstalled, catalog, _generations));
        Assert.Equal(TransactionError.InvalidRequest, free.Error);
        Assert.Equal("'tool' is not pinned", free.Message);
    }

    [Fact]
    public void Rollback_goes_to_the_newest_older_generation_or_the_one_named()
    {
        Commit(Generation(1, [], []));
        Commit(Generation(2, ["zsh-amd64-5.9-1"], ["zsh-amd64-5.9-1"]));
        Commit(ToolInstalled);
        var catalog = Of(Store);

        Assert.Equal(2, new RollbackOperation(null).Plan(ToolInstalled, catalog, _generations).MakeCurrent);
        Assert.Equal(1, new RollbackOperation(1).Plan(ToolInstalled, catalog, _generations).MakeCurrent);
        Assert.Same(OperationPlan.Nothing, new RollbackOperation(3).Plan(ToolInstalled, catalog, _generations));
        Assert.Null(new RollbackOperation(null).Plan(ToolInstalled, catalog, _generations).Next);
    }

    [Fact]
    public void Rollback_refuses_a_missing_generation_one_whose_images_are_gone_and_the_first_one()
    {
        Commit(Generation(1, ["gone-amd64-1-1"], ["gone-amd64-1-1"]));
        Commit(ToolInstalled);
        var catalog = Of(Store);

        var missing = Assert.Throws<TransactionException>(() => new RollbackOperation(7).Plan(ToolInstalled, catalog, _generations));
        Assert.Equal(TransactionError.NoSuchGeneration, missing.Error);
        Assert.Equal("generation 7 does not exist (see 'districtl generations')", missing.Message);

        var gone = Assert.Throws<TransactionException>(() => new RollbackOperation(null).Plan(ToolInstalled, catalog, _generations));
        Assert.Equal("generation 1 needs gone-amd64-1-1, which is no longer in the store", gone.Message);

        var first = Generation(1, ["gone-amd64-1-1"], ["gone-amd64-1-1"]);
        var none = Assert.Throws<TransactionException>(() => new RollbackOperation(null).Plan(first, catalog, _generations));
        Assert.Equal("there is no generation before 1 to roll back to", none.Message);
    }

    [Fact]
    public void Gc_keeps_the_newest_generations_and_the_current_and_deletes_images_no_kept_one_names()
    {
        Commit(Generation(1, ["zsh-amd64-5.9-1"], ["zsh-amd64-5.9-1"]));
        Commit(Generation(2, [], []));
        Commit(Generation(3, ["tool-amd64-1.0-1"], ["lib-amd64-1-1", "tool-amd64-1.0-1"]));
        var current = Generation(4, ["lib-amd64-1-1"], ["lib-amd64-1-1"]);
        Commit(current);
        var catalog = Of(Store, Offered("offered-amd64-1-1"));

        var plan = new GcOperation(keep: 2).Plan(current, catalog, _generations);

        Assert.Equal([1, 2], plan.DeleteGenerations.Order());
        Assert.Equal(["zsh-amd64-5.9-1"], plan.DeleteImages);
        Assert.Null(plan.Next);

        var keepAll = new GcOperation(keep: 10).Plan(current, Of([.. Store.Where(p => p.FullName != "zsh-amd64-5.9-1")]), _generations);
        Assert.Same(OperationPlan.Nothing, keepAll);
    }

    private void Commit(Generation generation) => _generations.Commit("test", generation);
}
