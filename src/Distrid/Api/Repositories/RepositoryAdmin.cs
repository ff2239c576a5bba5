using Distri.Core.Repository;
using Distri.Core.Text;
using Distrid.Api.Authorization;
using Distrid.Protocol;
using Distrid.Repository;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;

namespace Distrid.Api.Repositories;

/// <summary>
/// <c>repo list|add|remove|enable|disable</c> for every front end (JSON-RPC, D-Bus, and PackageKit's RepoEnable):
/// authorize the caller (<c>repo-configure</c>; adding a key also <c>trust-key</c>), validate, verify the repository's
/// signed index, then commit: the trusted key, the config file (atomically), the running set of repositories. Any
/// failure before the config file is replaced changes nothing: no key, no config, no cached index. Changes never
/// touch generations or the store: packages already installed stay, only what is offered changes.
/// </summary>
internal sealed class RepositoryAdmin(RepositorySet repositories, RepositorySettings settings, MutationRunner runner, ILogger<RepositoryAdmin> logger)
{
    /// <summary>Longest URL accepted (a config entry, not a document).</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>A PEM public key is about 180 bytes; this bounds what a caller may send.</summary>
    public const int MaxKeyLength = 16 * 1024;

    private readonly SemaphoreSlim _changes = new(1, 1);

    public IReadOnlyList<RepositoryInfo> List() => [.. repositories.All.Select(Describe)];

    /// <summary>
    /// Adds <paramref name="url"/>. With <paramref name="keyPem"/>, <paramref name="fingerprint"/> must be that key's
    /// fingerprint (the caller's proof that a person confirmed it) and the index must be signed by that very key.
    /// </summary>
    public async Task<RepositoryInfo> AddAsync(CallerIdentity caller, string url, string? keyPem, string? fingerprint, CancellationToken cancellationToken)
    {
        var uri = ParseUrl(url);
        using var key = keyPem is null ? null : ParseKey(keyPem, fingerprint);
        await runner.AuthorizeAsync(caller, PolkitActions.RepoConfigure, cancellationToken);
        if (key is not null)
        {
            await runner.AuthorizeAsync(caller, PolkitActions.TrustKey, cancellationToken);
        }

        return await ChangeAsync(async (enabled, disabled) =>
        {
            string display = MirrorUrls.Display(uri);
            if (enabled.Concat(disabled).Any(u => Same(u, uri)))
            {
                throw new TransactionException(TransactionError.InvalidRequest, $"repository {display} is already configured ('districtl repo list')");
            }

            var probed = await ProbeAsync(uri, key, cancellationToken);
            var keyStore = new TrustedKeyStore(settings.TrustedKeysDirectory);
            string? written = key is null ? null : keyStore.Add(key);
            try
            {
                Persist([.. enabled, uri.AbsoluteUri], disabled);
            }
            catch
            {
                if (written is not null)
                {
                    TrustedKeyStore.Withdraw(written);
                }

                throw;
            }

            logger.LogInformation("repo add {Url} by {Caller}: {Count} packages, signed by key {Key}{Trusted}",
                display, caller, probed.Index.Packages.Count, probed.KeyId, written is null ? "" : $", key trusted as {written}");
            var added = repositories.Create(uri, enabled: true);
            repositories.Replace([.. repositories.All, added]);
            await repositories.RefreshAsync(added, cancellationToken);
            return Describe(added) with { Fingerprint = key?.Fingerprint, Key = added.Client.Current?.KeyId ?? probed.KeyId, Packages = added.Client.Current?.Index.Packages.Count ?? probed.Index.Packages.Count };
        }, cancellationToken);
    }

    public async Task<RepositoryInfo> RemoveAsync(CallerIdentity caller, string url, CancellationToken cancellationToken)
    {
        var uri = ParseUrl(url);
        await runner.AuthorizeAsync(caller, PolkitActions.RepoConfigure, cancellationToken);
        return await ChangeAsync((enabled, disabled) =>
        {
            Configured(uri, enabled, disabled);
            Persist([.. enabled.Where(u => !Same(u, uri))], [.. disabled.Where(u => !Same(u, uri))]);
            var removed = repositories.All.FirstOrDefault(r => Same(r.Url.AbsoluteUri, uri));
            repositories.Replace(repositories.All.Where(r => !ReferenceEquals(r, removed)));
            DiscardCache(uri);
            logger.LogInformation("repo remove {Url} by {Caller}", MirrorUrls.Display(uri), caller);
            var info = removed is null ? new RepositoryInfo { Url = uri.AbsoluteUri, Enabled = false } : Describe(removed);
            return Task.FromResult(info with { Enabled = false });
        }, cancellationToken);
    }

    /// <summary>
    /// Enables or disables a configured repository; enabling fetches and verifies its index first. The daemon-side
    /// method behind <c>repo enable|disable</c> on every front end (PackageKit's RepoEnable included).
    /// </summary>
    public async Task<RepositoryInfo> SetEnabledAsync(CallerIdentity caller, string url, bool enable, CancellationToken cancellationToken)
    {
        var uri = ParseUrl(url);
        await runner.AuthorizeAsync(caller, PolkitActions.RepoConfigure, cancellationToken);
        return await ChangeAsync(async (enabled, disabled) =>
        {
            Configured(uri, enabled, disabled);
            var existing = repositories.All.FirstOrDefault(r => Same(r.Url.AbsoluteUri, uri)) ?? repositories.Create(uri, !enable);
            if (enable)
            {
                await VerifyIndexAsync(existing.Client, uri, cancellationToken);
            }

            bool wasEnabled = enabled.Any(u => Same(u, uri));
            var nextEnabled = enabled.Where(u => !Same(u, uri)).ToList();
            var nextDisabled = disabled.Where(u => !Same(u, uri)).ToList();
            (enable ? nextEnabled : nextDisabled).Add(uri.AbsoluteUri);
            if (wasEnabled != enable)
            {
                Persist(nextEnabled, nextDisabled);
            }

            var changed = existing.WithEnabled(enable);
            if (enable)
            {
                changed.Refreshed();
            }

            var set = repositories.All.Where(r => !ReferenceEquals(r, existing)).ToList();
            set.Add(changed);
            repositories.Replace(Ordered(set, nextEnabled, nextDisabled));
            logger.LogInformation("repo {Verb} {Url} by {Caller}", enable ? "enable" : "disable", MirrorUrls.Display(uri), caller);
            return Describe(changed);
        }, cancellationToken);
    }

    /// <summary>One change at a time, against the config file as it is now (the file is the truth, not the start-up copy).</summary>
    private async Task<RepositoryInfo> ChangeAsync(Func<List<string>, List<string>, Task<RepositoryInfo>> change, CancellationToken cancellationToken)
    {
        if (settings.FixedByCommandLine)
        {
            throw new TransactionException(TransactionError.InvalidRequest,
                "repositories are fixed by distrid's --repo flags; start it without --repo to manage them with 'districtl repo'");
        }

        await _changes.WaitAsync(cancellationToken);
        try
        {
            var config = new RepositoryConfigFile(settings.ConfigPath);
            List<string> enabled, disabled;
            try
            {
                (enabled, disabled) = config.Read();
            }
            catch (RepositoryException e)
            {
                throw new TransactionException(TransactionError.Storage, $"cannot change repositories: {e.Message}", e);
            }

            return await change(enabled, disabled);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Fetches and verifies the index with a throw-away client and cache, so that a failure leaves no trace.
    /// With a key, only that key is trusted for it.</summary>
    private async Task<IndexFetchResult> ProbeAsync(Uri uri, RepositoryKey? key, CancellationToken cancellationToken)
    {
        string probe = Path.Combine(repositories.Template.CacheDirectory, $".probe-{Guid.NewGuid():N}");
        try
        {
            string trusted = settings.TrustedKeysDirectory;
            if (key is not null)
            {
                trusted = Path.Combine(probe, "trusted.d");
                Directory.CreateDirectory(trusted);
                File.WriteAllText(Path.Combine(trusted, "candidate" + RepositoryKey.PublicKeyExtension), key.ExportPublicPem() + "\n");
            }

            using var client = new RepositoryClient(repositories.Template with
            {
                Mirrors = [uri],
                TrustedKeysDirectory = trusted,
                CacheDirectory = Path.Combine(probe, "cache"),
                Retries = 1,
            });
            return await VerifyIndexAsync(client, uri, cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(probe, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private static async Task<IndexFetchResult> VerifyIndexAsync(RepositoryClient client, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await client.FetchIndexAsync(cancellationToken);
        }
        catch (RepositoryException e)
        {
            // The client names the mirror already ("mirror URL: ..."); say what did not happen.
            throw new TransactionException(TransactionError.Download, $"{e.Message}; repository {MirrorUrls.Display(uri)} not changed", e);
        }
    }

    private void Persist(IReadOnlyList<string> enabled, IReadOnlyList<string> disabled)
    {
        try
        {
            new RepositoryConfigFile(settings.ConfigPath).Write(enabled, disabled);
        }
        catch (Exception e) when (e is RepositoryException or IOException or UnauthorizedAccessException)
        {
            throw new TransactionException(TransactionError.Storage, $"cannot write {settings.ConfigPath}: {e.Message}; nothing changed", e);
        }
    }

    private static IEnumerable<ConfiguredRepository> Ordered(List<ConfiguredRepository> set, List<string> enabled, List<string> disabled)
    {
        var order = enabled.Concat(disabled).ToList();
        return set.OrderBy(r => order.FindIndex(u => Same(u, r.Url)) is var i and >= 0 ? i : int.MaxValue);
    }

    /// <summary>A removed repository's cached index is of no further use (re-adding it fetches and verifies anew).</summary>
    private void DiscardCache(Uri uri)
    {
        try
        {
            new IndexCache(repositories.Template.CacheDirectory, uri).Discard();
        }
        catch (IOException)
        {
            // Never cached (no directory): nothing to discard.
        }
    }

    private static void Configured(Uri uri, List<string> enabled, List<string> disabled)
    {
        if (!enabled.Concat(disabled).Any(u => Same(u, uri)))
        {
            throw new TransactionException(TransactionError.NotFound, $"repository {MirrorUrls.Display(uri)} is not configured ('districtl repo list')");
        }
    }

    private static RepositoryInfo Describe(ConfiguredRepository repository) => new()
    {
        Url = repository.Url.AbsoluteUri,
        Enabled = repository.Enabled,
        Key = repository.Client.Current?.KeyId,
        Packages = repository.Client.Current?.Index.Packages.Count,
        LastRefresh = repository.LastRefresh,
        Error = repository.LastError,
    };

    /// <summary>An absolute http(s) URL without credentials or fragment, normalized with a trailing slash.</summary>
    public static Uri ParseUrl(string url)
    {
        if (url.Length is 0 or > MaxUrlLength || !Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0 || uri.Query.Length > 0)
        {
            throw new TransactionException(TransactionError.InvalidRequest,
                $"'{EchoText.Cap(url)}' is not a repository URL (http:// or https://, no credentials, query or fragment)");
        }

        return uri;
    }

    private static RepositoryKey ParseKey(string pem, string? fingerprint)
    {
        if (pem.Length > MaxKeyLength)
        {
            throw new TransactionException(TransactionError.InvalidRequest, $"the key is over {MaxKeyLength} characters; a .pub key is a few hundred");
        }

        RepositoryKey key;
        try
        {
            key = RepositoryKey.ParsePublic(pem, "the key");
        }
        catch (RepositoryException e)
        {
            throw new TransactionException(TransactionError.InvalidRequest, e.Message, e);
        }

        if (!string.Equals(fingerprint?.Replace(":", "", StringComparison.Ordinal).Trim(), key.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            string given = fingerprint is null ? "no fingerprint was confirmed" : $"the confirmed fingerprint {EchoText.Cap(fingerprint)} is not the key's";
            string actual = key.Fingerprint;
            key.Dispose();
            throw new TransactionException(TransactionError.InvalidRequest, $"{given}: the key's fingerprint is {actual}; confirm it to trust the key");
        }

        return key;
    }

    private static bool Same(string configured, Uri uri) =>
        Uri.TryCreate(configured.EndsWith('/') ? configured : configured + "/", UriKind.Absolute, out var other) && Same(other, uri);

    private static bool Same(Uri a, Uri b) => string.Equals(a.AbsoluteUri, b.AbsoluteUri, StringComparison.Ordinal);
}
