namespace Distrid.Api.JsonRpc;

/// <summary>
/// Counts open socket connections per uid and for all non-root users together (<see cref="SocketLimits"/>). Root has
/// a budget of its own and is not counted in the total, so other users filling the socket never lock the
/// administrator (or a root <c>districtl status</c>) out.
/// </summary>
internal sealed class ConnectionLimiter(int perUid, int perRoot, int total)
{
    private readonly Dictionary<uint, int> _byUid = [];
    private readonly Lock _lock = new();
    private int _nonRoot;

    /// <summary>Counts a connection of <paramref name="uid"/> if both bounds allow it; false (and nothing counted) if not.</summary>
    public bool TryAdmit(uint uid)
    {
        lock (_lock)
        {
            int open = _byUid.GetValueOrDefault(uid);
            if (open >= (uid == 0 ? perRoot : perUid) || (uid != 0 && _nonRoot >= total))
            {
                return false;
            }

            _byUid[uid] = open + 1;
            if (uid != 0)
            {
                _nonRoot++;
            }

            return true;
        }
    }

    public void Release(uint uid)
    {
        lock (_lock)
        {
            int open = _byUid[uid] - 1;
            if (open == 0)
            {
                _byUid.Remove(uid);
            }
            else
            {
                _byUid[uid] = open;
            }

            if (uid != 0)
            {
                _nonRoot--;
            }
        }
    }
}
