using System.CommandLine;
using Distri.Core.Apt;
using Distri.Core.Repository;
using Distri.Core.SquashFs;

namespace Districtl.Commands;

/// <summary>What <c>districtl repo import-apt</c> does (its command line: RepoImportAptCommand.cs).</summary>
internal static partial class RepoImportAptCommand
{
    static partial void AddAction(Command command) => command.SetAction(async (parse, cancellationToken) =>
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        if (!Uri.TryCreate(parse.GetValue(Source), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            await stderr.WriteLineAsync($"districtl repo import-apt: --source {parse.GetValue(Source)} is not an http(s) URL");
            return 1;
        }

        if (parse.GetValue(Arch) is not ("amd64" or "arm64" or "i386"))
        {
            await stderr.WriteLineAsync($"districtl repo import-apt: --arch {parse.GetValue(Arch)} is not amd64, arm64 or i386");
            return 1;
        }

        if (parse.GetValue(Level) is < 1 or > 22)
        {
            await stderr.WriteLineAsync($"districtl repo import-apt: --zstd-level {parse.GetValue(Level)} is not between 1 and 22");
            return 1;
        }

        string[] requestedComponents = parse.GetValue(Components) is { Length: > 0 } given ? given : ["main"];
        var request = new AptImportRequest
        {
            Source = uri,
            Suite = parse.GetValue(Suite)!,
            Components = requestedComponents,
            Architecture = parse.GetValue(Arch)!,
            Keyring = parse.GetValue(Keyring)!,
            AllowUnsigned = parse.GetValue(AllowUnsigned),
            Packages = parse.GetValue(Packages)!,
            Repository = parse.GetValue(Output)!,
            KeyPrefix = parse.GetValue(Key),
            CacheDirectory = parse.GetValue(Cache),
            ZstdLevel = parse.GetValue(Level),
            Http = new AptHttpOptions { Parallelism = Math.Clamp(parse.GetValue(Parallel), 1, 32) },
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
}
