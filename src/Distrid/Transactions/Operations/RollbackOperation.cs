using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>Makes an earlier generation current again: by default the newest one older than the current.</summary>
internal sealed class RollbackOperation(int? target) : TransactionOperation
{
    public override string Description => target is int n ? $"rollback to {n}" : "rollback";

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        var all = generations.List();
        int number = target ?? all.Where(g => g.Number < current.Number).Select(g => g.Number).DefaultIfEmpty(0).Max();
        if (number == 0)
        {
            throw new TransactionException(TransactionError.NoSuchGeneration, $"there is no generation before {current.Number} to roll back to");
        }

        var generation = generations.Get(number)
            ?? throw new TransactionException(TransactionError.NoSuchGeneration, $"generation {number} does not exist (see 'districtl generations')");
        var missing = generation.Packages.Where(p => !catalog.InStore(p)).ToList();
        if (missing.Count > 0)
        {
            throw new TransactionException(TransactionError.NoSuchGeneration, $"generation {number} needs {missing[0]}, which is no longer in the store");
        }

        return number == current.Number ? OperationPlan.Nothing : new OperationPlan { MakeCurrent = number };
    }
}
