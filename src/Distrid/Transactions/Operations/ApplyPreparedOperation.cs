using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>
/// <c>update --apply-downloaded</c>: commits exactly the generation a download-only update planned, without asking a
/// mirror, and only while the generation it was planned on is still current. Its images are re-hashed against the
/// digests they were verified with (<see cref="OperationPlan.Present"/>); nothing is downloaded.
/// </summary>
internal sealed class ApplyPreparedOperation : TransactionOperation
{
    public const string Name = "update --apply-downloaded";

    public override string Description => Name;

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        PreparedUpdate? prepared;
        try
        {
            prepared = generations.Prepared.Load();
        }
        catch (InvalidDataException e)
        {
            throw new TransactionException(TransactionError.Storage, $"{e.Message}; run 'districtl update --download-only' to prepare the update again");
        }

        if (prepared is null)
        {
            throw new TransactionException(TransactionError.NotFound, "no update is prepared: run 'districtl update --download-only' first");
        }

        if (prepared.Base != current.Number)
        {
            throw new TransactionException(TransactionError.InvalidRequest,
                $"the prepared update is stale: it was planned on generation {prepared.Base}, but generation {current.Number} is current now; run 'districtl update --download-only' again");
        }

        var missing = prepared.Next.Packages.FirstOrDefault(p => !catalog.InStore(p));
        if (missing is not null)
        {
            throw new TransactionException(TransactionError.NotFound,
                $"the prepared update is incomplete: {missing} is not in the store (gc removed it?); run 'districtl update --download-only' again");
        }

        return new OperationPlan
        {
            Next = prepared.Next with { Number = 0, Created = DateTimeOffset.UtcNow, Description = Description },
            Present = prepared.Images,
            AppliesPrepared = true,
        };
    }
}
