namespace Distri.Core.SquashFs.Reading.Caching;

/// <summary>A value kept by <see cref="StripedLruCache{TKey, TValue}"/>. Reference counting lets a pooled buffer go
/// back to its pool only when the cache has evicted it and no reader still copies from it.</summary>
internal interface ICacheEntry
{
    /// <summary>Bytes of memory the entry holds; the cache's budget is counted in these.</summary>
    long Weight { get; }

    void AddRef();

    void Release();
}
