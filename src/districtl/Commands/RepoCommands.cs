using System.CommandLine;
using System.Globalization;
using Distri.Core.Repository;
using Districtl.Cli;
using Districtl.Client;
using Districtl.Output;
using Distrid.Protocol;

namespace Districtl.Commands;

/// <summary>
/// <c>repo list | add URL [--key FILE [--fingerprint FPR]] | remove URL | enable URL | disable URL</c>: the daemon's
/// repositories at run time, persisted in its config file. <c>add --key</c> shows the key's fingerprint and asks
/// before the daemon trusts it; without a terminal to ask on, <c>--fingerprint</c> must repeat it (there is no
/// blanket "yes": trusting a key is the one step that lets a stranger's packages in).
/// </summary>
internal static class RepoCommands
{
    /// <summary>A PEM public key is a few hundred bytes; a larger file is not one.</summary>
    private const long MaxKeyFileSize = 16 * 1024;

    public static IEnumerable<Command> Create()
    {
        var list = new Command("list", "list the configured repositories: URL, enabled, signing key, packages, last refresh");
        list.SetDaemonCall((api, _, ct) => api.RepoListAsync(ct), static json => json.IReadOnlyListRepositoryInfo, Print);
        yield return list;

        var url = new Argument<string>("URL") { Description = "the repository's base URL (where index.json and index.json.sig are)" };
        var key = new Option<string?>("--key") { Description = "a public key (.pub) to trust for this repository; its fingerprint is shown and confirmed first" };
        var fingerprint = new Option<string?>("--fingerprint")
        {
            Description = "confirm the key's sha256 fingerprint without a prompt (required with --key when there is no terminal)",
        };
        var add = new Command("add", "add a repository after fetching and verifying its signed index") { url, key, fingerprint };
        add.SetAction(async (parse, ct) =>
        {
            string target = parse.GetValue(url)!;
            string? pem = null;
            string? confirmed = null;
            if (parse.GetValue(key) is { } keyFile)
            {
                pem = ReadKey(keyFile);
                confirmed = Confirm(keyFile, pem, target, parse.GetValue(fingerprint));
            }
            else if (parse.GetValue(fingerprint) is not null)
            {
                throw new UserError("--fingerprint confirms a key given with --key");
            }

            await using var daemon = await DaemonConnection.ConnectAsync(parse.GetValue(GlobalOptions.Socket)!, ct);
            var added = await daemon.Api.RepoAddAsync(target, pem, confirmed, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(added, ProtocolJsonContext.Default.RepositoryInfo);
                return 0;
            }

            Console.WriteLine($"added {added.Url}: {added.Packages ?? 0} packages, index signed by key {added.Key ?? "?"}");
            if (added.Fingerprint is { } trusted)
            {
                Console.WriteLine($"trusted key {trusted}");
            }

            return 0;
        });
        yield return add;

        yield return OnUrl("remove", "forget a repository (installed packages stay; its packages are no longer offered)", (api, u, ct) => api.RepoRemoveAsync(u, ct), "removed");
        yield return OnUrl("enable", "consult a disabled repository again (its index is verified first)", (api, u, ct) => api.RepoEnableAsync(u, ct), "enabled");
        yield return OnUrl("disable", "keep a repository configured but stop offering its packages", (api, u, ct) => api.RepoDisableAsync(u, ct), "disabled");
    }

    private static Command OnUrl(string name, string description, Func<IDistridApi, string, CancellationToken, Task<RepositoryInfo>> call, string done)
    {
        var url = new Argument<string>("URL") { Description = "the repository's base URL, as 'repo list' shows it" };
        var command = new Command(name, description) { url };
        command.SetDaemonCall(
            (api, parse, ct) => call(api, parse.GetValue(url)!, ct), static json => json.RepositoryInfo, result => Console.WriteLine($"{done} {result.Url}"));
        return command;
    }

    private static string ReadKey(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new UserError($"{path}: no such key file");
        }

        if (info.Length > MaxKeyFileSize)
        {
            throw new UserError($"{path}: {info.Length} bytes, too large for a public key file");
        }

        return File.ReadAllText(path);
    }

    /// <summary>The fingerprint the user confirmed: given with --fingerprint (checked here first), or typed "yes" to at a prompt.</summary>
    private static string Confirm(string keyFile, string pem, string url, string? given)
    {
        using var parsed = RepositoryKey.ParsePublic(pem, keyFile);
        string fingerprint = parsed.Fingerprint;
        if (given is not null)
        {
            if (!string.Equals(given.Replace(":", "", StringComparison.Ordinal).Trim(), fingerprint, StringComparison.OrdinalIgnoreCase))
            {
                throw new UserError($"{keyFile}: its fingerprint is {fingerprint}, not {given}; not trusting it");
            }

            return fingerprint;
        }

        if (Console.IsInputRedirected)
        {
            throw new UserError(
                $"{keyFile}: fingerprint {fingerprint}; compare it with the one the repository's publisher gives, then confirm it with --fingerprint (no terminal to ask on)");
        }

        Console.Error.WriteLine($"Key {keyFile} (ECDSA P-256, key id {parsed.KeyId})");
        Console.Error.WriteLine($"  fingerprint {Grouped(fingerprint)}");
        Console.Error.Write($"Trust this key for packages from {url}? Compare the fingerprint with the publisher's. [y/N] ");
        string answer = (Console.ReadLine() ?? "").Trim();
        if (!answer.Equals("y", StringComparison.OrdinalIgnoreCase) && !answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserError("key not trusted; nothing changed");
        }

        return fingerprint;
    }

    /// <summary>64 hex digits in groups of four, easier to compare by eye.</summary>
    private static string Grouped(string hex) => string.Join(' ', hex.Chunk(4).Select(c => new string(c)));

    private static void Print(IReadOnlyList<RepositoryInfo> repositories)
    {
        if (repositories.Count == 0)
        {
            Console.WriteLine("no repositories ('districtl repo add URL' adds one)");
            return;
        }

        int width = Math.Max(3, repositories.Max(r => r.Url.Length));
        Console.WriteLine($"{"URL".PadRight(width)}  ENABLED  KEY               PACKAGES  LAST REFRESH");
        foreach (var r in repositories)
        {
            string refreshed = r.LastRefresh is { } at ? at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "never";
            string packages = r.Packages?.ToString(CultureInfo.InvariantCulture) ?? "-";
            Console.WriteLine($"{r.Url.PadRight(width)}  {(r.Enabled ? "yes" : "no"),-7}  {r.Key ?? "-",-16}  {packages,8}  {refreshed}");
            if (r.Error is { } error)
            {
                Console.WriteLine($"{"",-2}last refresh failed: {error}");
            }
        }
    }
}
