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

    /// <summary>
    /// Builds what <see cref="Publish"/> will show for <paramref name="generation"/> before it is committed, so that the
    /// building runs while the commit waits for its fsyncs; the publish uses it only if nothing changed in between.
    /// Changes nothing anyone sees; the default does nothing.
    /// </summary>
    void Stage(Generation generation)
    {
    }
}
