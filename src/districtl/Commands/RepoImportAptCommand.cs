using System.CommandLine;
using Distri.Core.Apt;
using Distri.Core.Repository;
using Distri.Core.SquashFs;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl repo import-apt --source URL --suite SUITE [--component C]... [--arch A] [--keyring FILE]
/// [--allow-unsigned] PACKAGE... -o REPO [--key PREFIX] [--cache DIR] [--zstd-level N] [--parallel N]</c>: the verified, relocated closure of
/// PACKAGEs from an apt archive into REPO/pkg/, incrementally (see <see cref="AptImporter"/>). One line per package;
/// any failure is one line on stderr, exit status 1, and REPO unchanged.
/// </summary>
internal static class RepoImportAptCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "Archive root URL, e.g. http://deb.debian.org/debian", Required = true };
        var suite = new Option<string>("--suite") { Description = "Suite (codename) under dists/, e.g. bookworm", Required = true };
        var components = new Option<string[]>("--component") { Description = "Component to read (repeatable; default main)", AllowMultipleArgumentsPerToken = false };
        var arch = new Option<string>("--arch") { Description = "Debian architecture: amd64, arm64 or i386", DefaultValueFactory = _ => "amd64" };
        var keyring = new Option<string>("--keyring") { Description = "OpenPGP keyring the Release signature must verify against", DefaultValueFactory = _ => ReleaseVerifier.DefaultKeyring };
        var allowUnsigned = new Option<bool>("--allow-unsigned") { Description = "Accept an archive without a valid signature (hashes are still checked)" };
        var packages = new Argument<string[]>("PACKAGE") { Description = "Packages whose closure to import (name, or name=version)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("-o", "--output") { Description = "Repository directory (REPO/pkg/ receives the images)", Required = true };
        var key = new Option<string?>("--key") { Description = "Signing key PREFIX: index and sign REPO as 'repo build' does" };
        var cache = new Option<string?>("--cache") { Description = "Where verified .debs are kept between runs (default REPO/.cache/debs)" };
        var level = new Option<int>("--zstd-level") { Description = "zstd level of the .squashfs.zst transport copies (1-22), as 'repo build'", DefaultValueFactory = _ => 19 };
        var parallel = new Option<int>("--parallel") { Description = "Downloads at once", DefaultValueFactory = _ => 4 };
        var command = new Command("import-apt", "Import the closure of packages from an apt archive, verified and relocated")
        {
            source, suite, components, arch, keyring, allowUnsigned, packages, output, key, cache, level, parallel,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (!Uri.TryCreate(parse.GetValue(source), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                await stderr.WriteLineAsync($"districtl repo import-apt: --source {parse.GetValue(source)} is not an http(s) URL");
                return 1;
            }

            if (parse.GetValue(arch) is not ("amd64" or "arm64" or "i386"))
            {
                await stderr.WriteLineAsync($"districtl repo import-apt: --arch {parse.GetValue(arch)} is not amd64, arm64 or i386");
                return 1;
            }

            if (parse.GetValue(level) is < 1 or > 22)
            {
                await stderr.WriteLineAsync($"districtl repo import-apt: --zstd-level {parse.GetValue(level)} is not between 1 and 22");
                return 1;
            }

            string[] requestedComponents = parse.GetValue(components) is { Length: > 0 } given ? given : ["main"];
            var request = new AptImportRequest
            {
                Source = uri,
                Suite = parse.GetValue(suite)!,
                Components = requestedComponents,
                Architecture = parse.GetValue(arch)!,
                Keyring = parse.GetValue(keyring)!,
                AllowUnsigned = parse.GetValue(allowUnsigned),
                Packages = parse.GetValue(packages)!,
                Repository = parse.GetValue(output)!,
                KeyPrefix = parse.GetValue(key),
                CacheDirectory = parse.GetValue(cache),
                ZstdLevel = parse.GetValue(level),
                Http = new AptHttpOptions { Parallelism = Math.Clamp(parse.GetValue(parallel), 1, 32) },
            };
            try
            {
                var result = await AptImporter.RunAsync(
                    request,
                    warning => stderr.WriteLine($"districtl: warning: {warning}"),
                    // Progress is for people at a terminal; scripts and logs get results on stdout and failures on stderr.
                    message =>
                    {
                        if (!Console.IsErrorRedirected)
                        {
                            stderr.WriteLine($"districtl: {message}");
                        }
                    },
                    cancellationToken);
                foreach (var package in result.Packages.OrderBy(p => p.FullName, StringComparer.Ordinal))
                {
                    await stdout.WriteLineAsync($"{package.FullName}: {package.Outcome.ToString().ToLowerInvariant()}");
                }

                int changed = result.Packages.Count(p => p.Outcome != ImportOutcome.Unchanged);
                await stdout.WriteLineAsync(changed == 0
                    ? $"{result.Packages.Count} packages, all up to date"
                    : $"{result.Packages.Count} packages, {changed} built");
                if (result.Index is { } index)
                {
                    await stdout.WriteLineAsync($"{index.IndexPath}: {index.Index.Packages.Count} packages, signed by key {index.KeyId}");
                }

                return 0;
            }
            catch (Exception e) when (e is AptArchiveException or UnmetDependencyException or InvalidDataException or RepositoryException
                or IOException or UnauthorizedAccessException or SquashFsException or FormatException)
            {
                await stderr.WriteLineAsync($"districtl repo import-apt: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
