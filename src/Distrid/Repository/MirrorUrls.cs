namespace Distrid.Repository;

/// <summary>URL helpers: a mirror base with or without a trailing slash, and how a mirror is named in errors.</summary>
internal static class MirrorUrls
{
    public static Uri Resolve(Uri mirror, string relativePath)
    {
        string baseText = mirror.AbsoluteUri.EndsWith('/') ? mirror.AbsoluteUri : mirror.AbsoluteUri + "/";
        return new Uri(new Uri(baseText), relativePath);
    }

    /// <summary>The mirror as configured, without a trailing slash or credentials, for error messages.</summary>
    public static string Display(Uri mirror)
    {
        string text = mirror.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
        return text.TrimEnd('/');
    }
}
