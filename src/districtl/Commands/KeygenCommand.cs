using System.CommandLine;

namespace Districtl.Commands;

/// <summary>
/// <c>districtl keygen PREFIX</c>: writes a new repository signing key as PREFIX.key (secret) and PREFIX.pub. The verb's
/// command line; what it does is in KeygenCommand.Action.cs (not in the thin client).
/// </summary>
internal static partial class KeygenCommand
{
    public const string Verb = "keygen";

    private static readonly Argument<string> Prefix = new("PREFIX")
    {
        Description = "Path prefix of the key files: PREFIX.key (private, mode 0600) and PREFIX.pub (to install in trusted.d)",
    };

    public static Command Create()
    {
        var command = new Command(Verb, "Generate a repository signing key (ECDSA P-256)") { Prefix };
        AddAction(command);
        return command;
    }

    /// <summary>Sets the verb's action; without KeygenCommand.Action.cs (the thin client) the call is compiled away.</summary>
    static partial void AddAction(Command command);
}
