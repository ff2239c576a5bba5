namespace Distrid.Repository;

/// <summary>Where repository changes are persisted, as the composition root hands them down.</summary>
/// <param name="ConfigPath">The daemon's config file (<c>--config</c>, else /etc/distri/distrid.json).</param>
/// <param name="TrustedKeysDirectory">Where <c>repo add --key</c> puts the key.</param>
/// <param name="FixedByCommandLine">The daemon was started with <c>--repo</c>, which overrides the config file's
/// repositories: a change written there would not be the daemon's list, so changes are refused.</param>
public sealed record RepositorySettings(string ConfigPath, string TrustedKeysDirectory, bool FixedByCommandLine);
