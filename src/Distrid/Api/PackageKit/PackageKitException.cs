namespace Distrid.Api.PackageKit;

/// <summary>A PackageKit error code and message for a request we refuse before running anything.</summary>
internal sealed class PackageKitException(uint code, string message) : Exception(message)
{
    public uint Code { get; } = code;
}
