using Distrid.FileSystem.Passthrough;
using Distrid.Fuse.Session;
using Microsoft.Extensions.Logging;

namespace Distrid.Hosting;

// FUSE passthrough from the cache of decompressed files (DaemonOptions.FusePassthrough): the cache is opened before
// the mount, and its writer and the open-mode bookkeeping are tied to the session right after it starts.
internal sealed partial class MountService
{
    private PassthroughOpens? _passthroughOpens;
    private PassthroughCacheWriter? _passthroughWriter;

    private void StartPassthroughCache()
    {
        if (!options.FusePassthrough)
        {
            return;
        }

        Action<string> log = message => logger.LogWarning("{Message}", message);
        var cache = PassthroughCache.Open(Path.Combine(options.State, "passthrough-cache"), options.PassthroughCacheBytes, options.PassthroughMinFileBytes, log);
        if (cache is null)
        {
            return;
        }

        _passthroughOpens = new PassthroughOpens(cache, log);
        fileSystem.UsePassthrough(_passthroughOpens);
    }

    private void AttachPassthrough(FuseSession session)
    {
        if (_passthroughOpens is { } opens)
        {
            _passthroughWriter = new PassthroughCacheWriter(opens.Cache, opens, fileSystem.ReadForStore, message => logger.LogWarning("{Message}", message));
            opens.Attach(session, _passthroughWriter);
        }
    }

    private void ReportPassthrough(FuseSession session)
    {
        if (_passthroughOpens is not { } opens)
        {
            return;
        }

        if (session.PassthroughEnabled)
        {
            logger.LogInformation("FUSE passthrough on: cached copies of /ro files in {Directory} ({Count} files, {MiB} MiB of at most {Max} MiB)",
                opens.Cache.Directory, opens.Cache.Count, opens.Cache.Bytes >> 20, opens.Cache.MaxBytes >> 20);
        }
        else
        {
            logger.LogWarning("FUSE passthrough was asked for but the kernel does not offer it (Linux 6.9+); /ro reads go through the daemon");
        }
    }
}
