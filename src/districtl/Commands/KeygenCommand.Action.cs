using System.CommandLine;
using Distri.Core.Repository;

namespace Districtl.Commands;

/// <summary>What <c>districtl keygen</c> does (its command line: KeygenCommand.cs).</summary>
internal static partial class KeygenCommand
{
    static partial void AddAction(Command command) => command.SetAction(parseResult =>
    {
        string path = parseResult.GetValue(Prefix)!;
        try
        {
            using var key = RepositoryKey.Generate();
            key.Save(path);
            parseResult.InvocationConfiguration.Output.WriteLine(
                $"key {key.KeyId}: wrote {path}{RepositoryKey.PrivateKeyExtension} (keep secret) and {path}{RepositoryKey.PublicKeyExtension}");
            return 0;
        }
        catch (Exception e) when (e is RepositoryException or IOException or UnauthorizedAccessException)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"districtl keygen: {e.Message}");
            return 1;
        }
    });
}
