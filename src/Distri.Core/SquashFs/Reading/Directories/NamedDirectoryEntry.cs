using System.Text;

namespace Distri.Core.SquashFs.Reading.Directories;

/// <summary>A directory entry with its name, as <c>SquashFsImage.ListDirectory</c> returns it.</summary>
public sealed record NamedDirectoryEntry(byte[] NameBytes, DirectoryEntry Entry)
{
    /// <summary>The name decoded as UTF-8 (invalid bytes become U+FFFD; use <see cref="NameBytes"/> to be exact).</summary>
    public string Name => Encoding.UTF8.GetString(NameBytes);
}
