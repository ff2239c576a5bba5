using System.Text.Json.Serialization;

namespace Distrid.Protocol;

/// <summary>Source-generated serialization for every message of the contract (camelCase on the wire).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusResult))]
[JsonSerializable(typeof(PackageInfo))]
[JsonSerializable(typeof(IReadOnlyList<PackageInfo>))]
[JsonSerializable(typeof(List<PackageInfo>))]
[JsonSerializable(typeof(TransactionResult))]
[JsonSerializable(typeof(ProgressInfo))]
[JsonSerializable(typeof(GenerationInfo))]
[JsonSerializable(typeof(IReadOnlyList<GenerationInfo>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(PackageFiles))]
[JsonSerializable(typeof(OwnerInfo))]
[JsonSerializable(typeof(WhyResult))]
[JsonSerializable(typeof(IReadOnlyList<HistoryEntry>))]
[JsonSerializable(typeof(GenerationDiff))]
[JsonSerializable(typeof(IReadOnlyList<VerifyInfo>))]
[JsonSerializable(typeof(RepositoryInfo))]
[JsonSerializable(typeof(IReadOnlyList<RepositoryInfo>))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(RunView))]
[JsonSerializable(typeof(bool))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
