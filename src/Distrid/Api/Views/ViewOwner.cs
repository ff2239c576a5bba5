namespace Distrid.Api.Views;

/// <summary>
/// Who holds views: one socket connection or one D-Bus unique name. Disposing it (the connection closed, the name
/// left the bus) closes every view it holds, so a view never outlives the process that mounted it.
/// </summary>
internal sealed class ViewOwner(RunViews views, string description) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, uint> _views = []; // view -> the uid that opened it
    private bool _closed;

    public string Description => description;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _views.Count;
            }
        }
    }

    /// <summary>Records <paramref name="view"/>, opened by <paramref name="uid"/>, as this owner's; false when the owner
    /// is closed already or holds <paramref name="max"/> views.</summary>
    public bool TryAdd(uint view, uint uid, int max)
    {
        lock (_gate)
        {
            if (_closed || _views.Count >= max)
            {
                return false;
            }

            _views.Add(view, uid);
            return true;
        }
    }

    /// <summary>Forgets <paramref name="view"/> and says who opened it; false if this owner does not hold it.</summary>
    public bool TryRemove(uint view, out uint uid)
    {
        lock (_gate)
        {
            return _views.Remove(view, out uid);
        }
    }

    public void Dispose()
    {
        KeyValuePair<uint, uint>[] held;
        lock (_gate)
        {
            _closed = true;
            held = [.. _views];
            _views.Clear();
        }

        foreach (var (view, uid) in held)
        {
            views.Close(view, uid, this);
        }
    }
}
