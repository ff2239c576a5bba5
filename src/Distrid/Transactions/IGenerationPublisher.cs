using Distrid.Generations;

namespace Distrid.Transactions;

/// <summary>
/// Makes a committed generation visible (the daemon wires this to the /ro mount). Transactions know nothing of
/// FUSE; they call this after the commit's rename.
/// </summary>
public interface IGenerationPublisher
{
    /// <summary>
    /// Called as each new image lands in the store, from the download workers and concurrently, before the commit:
    /// per-image work (reading what the image contributes to the exchange directories) happens while other images
    /// still download, so that <see cref="Publish"/> only merges. Must not throw; an image that cannot be prepared is
    /// simply left for <see cref="Publish"/> to report.
    /// </summary>
    void Prepare(string fullName, string imagePath);

    void Publish(Generation generation);
}
