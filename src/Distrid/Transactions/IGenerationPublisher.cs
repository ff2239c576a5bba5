using Distrid.Generations;

namespace Distrid.Transactions;

/// <summary>
/// Makes a committed generation visible (the daemon wires this to the /ro mount). Transactions know nothing of
/// FUSE; they call this after the commit's rename.
/// </summary>
public interface IGenerationPublisher
{
    void Publish(Generation generation);

    /// <summary>
    /// Reads ahead what a later <see cref="Publish"/> needs of an image that just arrived in the store (its manifest),
    /// while the rest of the download still runs. Changes nothing anyone sees; the default does nothing.
    /// </summary>
    void Prepare(string fullName)
    {
    }
}
