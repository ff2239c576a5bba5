using System.Threading.Channels;
using Distrid.Repository;

namespace Distrid.Transactions;

/// <summary>
/// Hands each image a download completes to <see cref="IGenerationPublisher.Prepare"/>, one at a time on one worker,
/// while the other images are still on the wire: the publish after the commit then finds their manifests read
/// instead of reading every new image after the last byte. Passes every report on to the next progress sink.
/// </summary>
internal sealed class ManifestPrefetch : IProgress<DownloadProgress>
{
    private readonly IProgress<DownloadProgress>? _next;
    private readonly Channel<string> _arrived = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _worker;

    public ManifestPrefetch(IGenerationPublisher publisher, IProgress<DownloadProgress>? next)
    {
        _next = next;
        _worker = Task.Run(async () =>
        {
            await foreach (string fullName in _arrived.Reader.ReadAllAsync())
            {
                try
                {
                    publisher.Prepare(fullName);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
                {
                    // Only a head start: the publish reads the image itself and reports what is wrong with it.
                }
            }
        });
    }

    public void Report(DownloadProgress value)
    {
        _next?.Report(value);
        if (value.PackageCompleted)
        {
            _arrived.Writer.TryWrite(value.FullName);
        }
    }

    /// <summary>No more images come; completes when every one that came was prepared.</summary>
    public Task CompleteAsync()
    {
        _arrived.Writer.TryComplete();
        return _worker;
    }
}
