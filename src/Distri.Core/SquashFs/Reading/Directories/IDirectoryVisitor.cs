namespace Distri.Core.SquashFs.Reading.Directories;

/// <summary>Receives directory entries from <c>SquashFsImage.ReadDirectory</c>. Implement it as a struct (a ref struct
/// is allowed) so entries reach e.g. a FUSE reply buffer without allocation or virtual calls.</summary>
public interface IDirectoryVisitor
{
    /// <summary>Takes one entry. <paramref name="name"/> is only valid during the call.</summary>
    /// <returns>False to stop before this entry (e.g. the reply buffer is full); the entry is not counted, and the
    /// listing resumes at <see cref="DirectoryEntry.Cookie"/>.</returns>
    bool Visit(in DirectoryEntry entry, scoped ReadOnlySpan<byte> name);
}
