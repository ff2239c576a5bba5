using Distrid.Generations;

namespace Distrid.Transactions;

/// <summary>
/// Makes a committed generation visible (the daemon wires this to the /ro mount). Transactions know nothing of
/// FUSE; they call this after the commit's rename.
/// </summary>
public interface IGenerationPublisher
{
    void Publish(Generation generation);
}
