using Distri.Core.Repository;

namespace Distrid.Repository;

/// <summary>A verified index and where it came from.</summary>
/// <param name="Index">The parsed, signature-verified and validated index.</param>
/// <param name="Mirror">The mirror that served it (downloads try this one first).</param>
/// <param name="NotModified">The mirror answered 304: the cached copy (re-verified) is current.</param>
/// <param name="KeyId">The trusted key that signed it.</param>
/// <param name="Signature">The signature file it was verified with (what a later 304 is compared against).</param>
public sealed record IndexFetchResult(RepositoryIndex Index, Uri Mirror, bool NotModified, string KeyId, byte[] Signature);
