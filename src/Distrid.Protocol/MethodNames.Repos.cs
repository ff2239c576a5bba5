namespace Distrid.Protocol;

/// <summary>The <c>repo</c> verbs: one JSON-RPC method per subcommand (<c>repo add</c> is <c>repoAdd</c>).</summary>
public static partial class MethodNames
{
    public const string RepoList = "repoList";
    public const string RepoAdd = "repoAdd";
    public const string RepoRemove = "repoRemove";
    public const string RepoEnable = "repoEnable";
    public const string RepoDisable = "repoDisable";
}
