using Distri.Core.Packages;
using Distri.Core.Text;
using Distrid.Generations;

namespace Distrid.Transactions.Operations;

/// <summary>
/// Holds a name at one full name (<paramref name="fullName"/>), or releases it (null): update leaves a pinned name
/// alone and the exchange directories prefer the pinned revision.
/// </summary>
internal sealed class PinOperation(string name, string? fullName) : TransactionOperation
{
    public override string Description => fullName is null ? $"unpin {name}" : $"pin {name} {fullName}";

    public override bool NeedsIndex => fullName is not null;

    public override OperationPlan Plan(Generation current, PackageCatalog catalog, GenerationStore generations)
    {
        var pins = new Dictionary<string, string>(current.Pins);
        IEnumerable<string> requested = current.Requested;
        if (fullName is null)
        {
            if (!pins.Remove(name))
            {
                throw new TransactionException(TransactionError.InvalidRequest, $"'{EchoText.Cap(name)}' is not pinned");
            }
        }
        else
        {
            if (!PackageName.TryParse(fullName, out var package, out string? error) || package.Name != name)
            {
                throw new TransactionException(TransactionError.InvalidRequest, error ?? $"{EchoText.Cap(fullName)} is not a package named '{EchoText.Cap(name)}'");
            }

            if (catalog.Find(fullName) is null)
            {
                throw new TransactionException(TransactionError.NotFound, $"no package '{EchoText.Cap(fullName)}' in the repositories or the store");
            }

            pins[name] = fullName;
            requested = WithReplaced(requested, package);
        }

        var next = Next(current, catalog, requested, pins);
        return new OperationPlan { Next = next };
    }
}
