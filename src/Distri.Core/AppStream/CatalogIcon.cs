namespace Distri.Core.AppStream;

/// <summary>One cached icon of a catalog: <c>&lt;size&gt;x&lt;size&gt;/&lt;FileName&gt;</c> in the icon archive.</summary>
public sealed record CatalogIcon(int Size, string FileName, byte[] Png)
{
    /// <summary>File names the catalog may use: one plain path component ending in .png.</summary>
    public static bool IsValidFileName(string name) =>
        name.Length is > 4 and <= 255 && name.EndsWith(".png", StringComparison.Ordinal) && !name.StartsWith('.')
        && name.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") < 0;
}
