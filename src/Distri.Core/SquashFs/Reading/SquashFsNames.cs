namespace Distri.Core.SquashFs.Reading;

/// <summary>Rules for names that come from an image, which may be hostile.</summary>
public static class SquashFsNames
{
    /// <summary>True for a name that is safe as one path component: 1..255 bytes, no '/', no NUL, not "." or "..".</summary>
    public static bool IsValidEntryName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > Format.SquashFsLayout.MaxNameLength)
        {
            return false;
        }

        if (name.IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            return false;
        }

        return !(name.Length == 1 && name[0] == '.') && !(name.Length == 2 && name[0] == '.' && name[1] == '.');
    }
}
