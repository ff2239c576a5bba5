using System.Text.Json.Serialization;

namespace Distri.Core.Repository;

/// <summary>
/// The index's <c>appstream</c> object: the mirror's AppStream catalog (<c>appstream/catalog.xml.gz</c>) and its icon
/// archive (<c>appstream/icons.tar.gz</c>) with their sizes and digests, so that the index signature covers both.
/// Absent when no package of the repository describes software with a metainfo file.
/// </summary>
public sealed record AppStreamFiles
{
    [JsonPropertyName("catalog")]
    public required TransportFile Catalog { get; init; }

    [JsonPropertyName("icons")]
    public required TransportFile Icons { get; init; }
}
