namespace Distrid.Protocol;

/// <summary>JSON-RPC method names: the same words as the client's verbs.</summary>
public static class MethodNames
{
    public const string Status = "status";
    public const string List = "list";
    public const string Progress = "$/progress";
}
