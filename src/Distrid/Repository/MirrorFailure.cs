namespace Distrid.Repository;

/// <summary>How the client reacts to a failed request.</summary>
internal enum FailureKind
{
    /// <summary>Worth retrying on the same mirror after a delay: connection refused or lost, stall, 5xx, 408, 429.</summary>
    Transient,

    /// <summary>This mirror will not do better: bad data, 4xx, size mismatch. The next mirror is tried.</summary>
    Permanent,

    /// <summary>404: the file is not on this mirror (the plain image may be there when the .zst is not).</summary>
    NotFound,
}

/// <summary>A request to one mirror failed; the message is one line without the package name (the caller adds it).</summary>
internal sealed class MirrorFailure : Exception
{
    public MirrorFailure(FailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public MirrorFailure()
    {
    }

    public MirrorFailure(string message)
        : base(message)
    {
    }

    public MirrorFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FailureKind Kind { get; }
}
