using System.Text;
using Distri.Core.Packages;
using Distrid.Api.Authorization;
using Distrid.FileSystem;
using Distrid.FileSystem.Exchange;
using Distrid.FileSystem.Images;
using Distrid.Generations;
using Distrid.Protocol;
using Distrid.Store;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;

namespace Distrid.Api.Views;

/// <summary>
/// <c>run</c> for every front end: validates the <c>--with</c> choices against what /ro serves, merges the current
/// generation with the chosen packages winning (the generation rule otherwise), and serves the result as a view
/// under <c>/ro/.view/&lt;n&gt;</c> until its <see cref="ViewOwner"/> (a socket connection, a bus name) goes. It
/// changes nothing anyone else sees, so, like a query, it is open to every caller (a user may mount a view in a user
/// namespace of its own); what it costs is bounded per owner (<see cref="MaxPerOwner"/>), per non-root uid
/// (<see cref="MaxPerUser"/>), for all non-root callers together (half of <see cref="FileSystem.Views.ViewTable.MaxOpen"/>,
/// so that users cannot take every view from root) and in total. Refusals throw <see cref="TransactionException"/>
/// with one line.
/// </summary>
internal sealed class RunViews(
    PackageStore store, GenerationStore generations, RoNamespaceBuilder namespaces, RoFileSystem fileSystem, IMountStatus mount, ILogger<RunViews> logger)
{
    /// <summary>Views one connection or bus name may hold at once.</summary>
    public const int MaxPerOwner = 4;

    /// <summary>Views one non-root uid may hold at once, over all its connections and bus names.</summary>
    public const int MaxPerUser = 4;

    private const int MaxForUsers = FileSystem.Views.ViewTable.MaxOpen / 2;

    private const string ViewDirectory = ".view";

    private readonly Lock _busGate = new();
    private readonly Dictionary<string, ViewOwner> _busOwners = new(StringComparer.Ordinal);
    private readonly Lock _countGate = new();
    private readonly Dictionary<uint, int> _perUser = [];
    private int _forUsers;

    /// <summary>The owner for one socket connection; disposing it closes its views.</summary>
    public ViewOwner NewOwner(string description) => new(this, description);

    /// <summary>The owner for a D-Bus unique name, made on first use and closed by <see cref="OnBusNameLost"/>.</summary>
    public ViewOwner ForBusName(string uniqueName)
    {
        lock (_busGate)
        {
            if (!_busOwners.TryGetValue(uniqueName, out var owner))
            {
                owner = new ViewOwner(this, $"bus name {uniqueName}");
                _busOwners.Add(uniqueName, owner);
            }

            return owner;
        }
    }

    /// <summary>A unique name left the bus: its views close.</summary>
    public void OnBusNameLost(string uniqueName)
    {
        ViewOwner? owner;
        lock (_busGate)
        {
            _busOwners.Remove(uniqueName, out owner);
        }

        owner?.Dispose();
    }

    public RunView Open(IReadOnlyList<string>? with, ViewOwner owner, CallerIdentity caller)
    {
        var choices = PackageChoice.ParseAll(with, out string? error) ?? throw new TransactionException(TransactionError.InvalidRequest, error!);
        if (owner.Count >= MaxPerOwner)
        {
            throw new TransactionException(TransactionError.Busy, $"this connection holds {MaxPerOwner} views already; close one first");
        }

        ReserveForUser(caller);
        try
        {
            return OpenReserved(choices, owner, caller);
        }
        catch
        {
            ReleaseForUser(caller.Uid);
            throw;
        }
    }

    private RunView OpenReserved(IReadOnlyList<PackageChoice> choices, ViewOwner owner, CallerIdentity caller)
    {
        var generation = generations.Current ?? throw new TransactionException(TransactionError.NotFound, "no current generation");
        var shown = fileSystem.Current;
        foreach (var choice in choices)
        {
            if (shown.Find(Encoding.UTF8.GetBytes(choice.Package.FullName))?.Image is null)
            {
                throw new TransactionException(TransactionError.NotFound,
                    $"--with {choice}: {choice.Package.FullName} is not in the store (run chooses among the packages under {mount.Mountpoint}; 'districtl list --available' shows what a repository offers)");
            }
        }

        var (members, replaced) = Members(generation, choices);
        var byName = store.Scan().ToDictionary(p => p.FullName, StringComparer.Ordinal);
        var inputs = new List<(StoredPackage, ImageHandle)>(members.Count);
        foreach (string fullName in members)
        {
            // A package /ro does not serve (its image vanished since the last publish) cannot be shown by a view either.
            if (byName.TryGetValue(fullName, out var package) && shown.Find(Encoding.UTF8.GetBytes(fullName))?.Image is { } handle)
            {
                inputs.Add((package, handle));
            }
        }

        var chosen = choices.Select(c => c.Package.FullName).ToHashSet(StringComparer.Ordinal);
        var tree = namespaces.BuildView(inputs, generation.Pins, chosen, out var broken);
        if (broken.FirstOrDefault(chosen.Contains) is { } unreadable)
        {
            throw new TransactionException(TransactionError.Storage, $"the image of {unreadable} cannot be read; 'districtl verify {unreadable}' checks it");
        }

        uint view = fileSystem.OpenView(tree);
        if (view == 0)
        {
            throw new TransactionException(TransactionError.Busy, $"{FileSystem.Views.ViewTable.MaxOpen} views are open already; try again when a run ends");
        }

        if (!owner.TryAdd(view, caller.Uid, MaxPerOwner))
        {
            // The owner closed (its connection ended) or filled up with concurrent calls while the view was built.
            fileSystem.CloseView(view);
            throw new TransactionException(TransactionError.Busy, $"this connection closed or holds {MaxPerOwner} views already");
        }

        logger.LogInformation("view {View} opened for {Caller} ({Owner}) with {Chosen}", view, caller, owner.Description, string.Join(", ", choices));
        return new RunView
        {
            Id = view.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Path = Path.Join(mount.Mountpoint, ViewDirectory, view.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Mountpoint = mount.Mountpoint,
            Directories = [.. tree.Roots.Select(r => Encoding.UTF8.GetString(r.Name))],
            Chosen = [.. chosen.Order(StringComparer.Ordinal)],
            Replaced = replaced,
            Conflicts = [.. tree.Conflicts.Select(c => new ConflictInfo
            {
                Path = c.Path,
                Winner = c.Winner,
                Losers = c.Losers,
                Reason = c.Reason == ConflictReason.Chosen ? "chosen" : "name-order",
            })],
        };
    }

    /// <summary>Closes view <paramref name="id"/> of <paramref name="owner"/>; another owner's view is not its to close.</summary>
    public bool End(string id, ViewOwner owner)
    {
        if (!uint.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint view) || !owner.TryRemove(view, out uint uid))
        {
            throw new TransactionException(TransactionError.NotFound, $"no view {Distri.Core.Text.EchoText.Cap(id)} of this connection");
        }

        Close(view, uid, owner);
        return true;
    }

    /// <summary>Counts a view against a non-root caller's bounds, or refuses it (root is bounded per owner and by the table).</summary>
    private void ReserveForUser(CallerIdentity caller)
    {
        if (caller.IsRoot)
        {
            return;
        }

        lock (_countGate)
        {
            int held = _perUser.GetValueOrDefault(caller.Uid);
            if (held >= MaxPerUser)
            {
                throw new TransactionException(TransactionError.Busy, $"uid {caller.Uid} holds {MaxPerUser} views already; one must end first");
            }

            if (_forUsers >= MaxForUsers)
            {
                throw new TransactionException(TransactionError.Busy, $"users hold {MaxForUsers} views already; try again when a run ends");
            }

            _perUser[caller.Uid] = held + 1;
            _forUsers++;
        }
    }

    private void ReleaseForUser(uint uid)
    {
        if (uid == 0)
        {
            return;
        }

        lock (_countGate)
        {
            int held = _perUser.GetValueOrDefault(uid);
            if (held <= 1)
            {
                _perUser.Remove(uid);
            }
            else
            {
                _perUser[uid] = held - 1;
            }

            _forUsers--;
        }
    }

    /// <summary>Closes one view of an owner (called by the owner), opened by <paramref name="uid"/>.</summary>
    internal void Close(uint view, uint uid, ViewOwner owner)
    {
        fileSystem.CloseView(view);
        ReleaseForUser(uid);
        logger.LogInformation("view {View} closed ({Owner})", view, owner.Description);
    }

    /// <summary>
    /// The view's packages: the current generation without what the choices replace (other revisions of a chosen
    /// name and arch, every package a NAME=FULLNAME names), plus the chosen ones.
    /// </summary>
    private static (List<string> Members, List<string> Replaced) Members(Generation generation, IReadOnlyList<PackageChoice> choices)
    {
        var current = generation.Packages.Select(PackageName.Parse).ToList();
        var replaced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var choice in choices)
        {
            replaced.UnionWith(current.Where(p => p.NameArch == choice.Package.NameArch && p.FullName != choice.Package.FullName).Select(p => p.FullName));
            if (choice.Replaces is { } name)
            {
                var named = current.Where(p => p.Name == name).Select(p => p.FullName).ToList();
                if (named.Count == 0)
                {
                    throw new TransactionException(TransactionError.NotInstalled, $"--with {choice}: no package called {name} is in the current generation");
                }

                replaced.UnionWith(named);
            }
        }

        var chosen = choices.Select(c => c.Package.FullName).ToHashSet(StringComparer.Ordinal);
        replaced.ExceptWith(chosen);
        var members = current.Select(p => p.FullName).Where(f => !replaced.Contains(f)).Union(chosen, StringComparer.Ordinal).ToList();
        return (members, [.. replaced]);
    }
}
