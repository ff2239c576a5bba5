using System.Text.Json;
using System.Text.Json.Serialization;

namespace Distrid.Hosting;

/// <summary>The JSON config file: every field optional; present ones override the defaults.</summary>
internal sealed record DaemonConfigFile
{
    public string? Store { get; init; }
    public string? State { get; init; }
    public string? Mountpoint { get; init; }
    public string? Socket { get; init; }
    public List<string>? Repos { get; init; }
    public List<string>? DisabledRepos { get; init; }
    public string? TrustedKeys { get; init; }
    public string? DBus { get; init; }
    /// <summary>DESIGN.md spells it <c>"packagekit"</c>, not the camel-cased <c>packageKit</c>.</summary>
    [JsonPropertyName("packagekit")]
    public bool? PackageKit { get; init; }
    [JsonPropertyName("swcatalog")]
    public string? SoftwareCatalog { get; init; }
    [JsonPropertyName("packagekitState")]
    public string? PackageKitState { get; init; }
    public int? MaxOpenImages { get; init; }
    public long? BlockCacheBytesPerImage { get; init; }
    public int? FuseThreads { get; init; }
    public bool? FuseIoUring { get; init; }
    public bool? FusePassthrough { get; init; }
    public long? PassthroughCacheBytes { get; init; }
    public long? PassthroughMinFileBytes { get; init; }
    public int? DownloadParallelism { get; init; }
    public long? MinimumTransferRate { get; init; }
    public double? TransferRateWindowSeconds { get; init; }
    public ScheduledUpdateConfig? ScheduledUpdate { get; init; }

    public static DaemonConfigFile Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, DaemonConfigJsonContext.Default.DaemonConfigFile)
                ?? throw new InvalidDataException($"{path}: empty config");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON config: {e.Message}", e);
        }
    }

    public DaemonOptions ApplyTo(DaemonOptions o)
    {
        if (MinimumTransferRate < 0 || TransferRateWindowSeconds is <= 0 or > 3600 || double.IsNaN(TransferRateWindowSeconds ?? 1))
        {
            throw new InvalidDataException("config: minimumTransferRate must be 0 or more and transferRateWindowSeconds between 0 and 3600");
        }

        if (PassthroughCacheBytes < 0 || PassthroughMinFileBytes < 1)
        {
            throw new InvalidDataException("config: passthroughCacheBytes must be 0 or more and passthroughMinFileBytes 1 or more");
        }

        return Apply(o);
    }

    private DaemonOptions Apply(DaemonOptions o) => o with
    {
        Store = Store ?? o.Store,
        State = State ?? o.State,
        Mountpoint = Mountpoint ?? o.Mountpoint,
        Socket = Socket ?? o.Socket,
        Repos = Repos ?? o.Repos,
        DisabledRepos = DisabledRepos ?? o.DisabledRepos,
        TrustedKeys = TrustedKeys ?? o.TrustedKeys,
        DBus = DBus ?? o.DBus,
        PackageKit = PackageKit ?? o.PackageKit,
        SoftwareCatalog = SoftwareCatalog ?? o.SoftwareCatalog,
        PackageKitState = PackageKitState ?? o.PackageKitState,
        MaxOpenImages = MaxOpenImages ?? o.MaxOpenImages,
        BlockCacheBytesPerImage = BlockCacheBytesPerImage ?? o.BlockCacheBytesPerImage,
        FuseThreads = FuseThreads ?? o.FuseThreads,
        FuseIoUring = FuseIoUring ?? o.FuseIoUring,
        FusePassthrough = FusePassthrough ?? o.FusePassthrough,
        PassthroughCacheBytes = PassthroughCacheBytes ?? o.PassthroughCacheBytes,
        PassthroughMinFileBytes = PassthroughMinFileBytes ?? o.PassthroughMinFileBytes,
        DownloadParallelism = DownloadParallelism ?? o.DownloadParallelism,
        MinimumTransferRate = MinimumTransferRate ?? o.MinimumTransferRate,
        TransferRateWindow = TransferRateWindowSeconds is double w ? TimeSpan.FromSeconds(w) : o.TransferRateWindow,
        ScheduledUpdate = ScheduledUpdate?.ToPolicy(o.ScheduledUpdate) ?? o.ScheduledUpdate,
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DaemonConfigFile))]
internal sealed partial class DaemonConfigJsonContext : JsonSerializerContext;
