using System.CommandLine;
using Distri.Core.Repository;

namespace Districtl.Commands;

/// <summary><c>districtl keygen PREFIX</c>: writes a new repository signing key as PREFIX.key (secret) and PREFIX.pub.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var prefix = new Argument<string>("PREFIX")
        {
            Description = "Path prefix of the key files: PREFIX.key (private, mode 0600) and PREFIX.pub (to install in trusted.d)",
        };
        var command = new Command("keygen", "Generate a repository signing key (ECDSA P-256)") { prefix };
        command.SetAction(parseResult =>
        {
            string path = parseResult.GetValue(prefix)!;
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
        return command;
    }
}
