namespace Distrid.Protocol;

/// <summary>JSON-RPC method names: the same words as the client's verbs.</summary>
public static partial class MethodNames
{
    public const string Status = "status";
    public const string List = "list";
    public const string Search = "search";
    public const string Info = "info";
    public const string Install = "install";
    public const string Remove = "remove";
    public const string Update = "update";
    public const string Rollback = "rollback";
    public const string Generations = "generations";
    public const string Gc = "gc";
    public const string Pin = "pin";
    public const string Unpin = "unpin";
    public const string Run = "run";
    public const string RunEnd = "runEnd";
    public const string Files = "files";
    public const string Owns = "owns";
    public const string Why = "why";
    public const string History = "history";
    public const string Diff = "diff";
    public const string Verify = "verify";
    public const string Progress = "$/progress";
}
