using System.Globalization;
using System.Text;
using Distrid.FileSystem.Exchange;

namespace Distrid.FileSystem;

internal sealed partial class RoFileSystem
{
    /// <summary>
    /// Serves <paramref name="tree"/> as a new view under <c>/ro/.view/&lt;n&gt;</c> and returns n, or 0 when
    /// too many views are open.
    /// </summary>
    public uint OpenView(ExchangeTree tree) => exchangeNodes.Views.Add(tree);

    /// <summary>
    /// Closes view <paramref name="view"/> and drops the kernel's cached name for it, so it disappears from
    /// <c>/ro/.view</c> at once (a process still inside it gets ESTALE). Not from a request handler.
    /// </summary>
    public void CloseView(uint view)
    {
        if (!exchangeNodes.Views.Remove(view))
        {
            return;
        }

        var session = Volatile.Read(ref _session);
        session?.NotifyInvalidateEntry(Views.ViewTable.DirectoryNodeId, Encoding.ASCII.GetBytes(view.ToString(CultureInfo.InvariantCulture)));
        session?.NotifyInvalidateInode(Views.ViewTable.DirectoryNodeId, 0, 0);
    }
}
