namespace Distrid.Api.PackageKit;

/// <summary>PackageKit 1.2 enum values we send or read (reference/packagekit/enums.txt); never 1.3-only ones.</summary>
internal static class PkRole
{
    public const uint Unknown = 0, Cancel = 1, DependsOn = 2, GetDetails = 3, GetFiles = 4, GetPackages = 5, GetRepoList = 6,
        RequiredBy = 7, GetUpdateDetail = 8, GetUpdates = 9, InstallPackages = 11, RefreshCache = 13, RemovePackages = 14,
        RepoEnable = 15, Resolve = 17, SearchDetails = 18, SearchFile = 19, SearchName = 21, UpdatePackages = 22, WhatProvides = 23,
        DownloadPackages = 25;

    /// <summary>The daemon's Roles property: the roles we implement.</summary>
    public static ulong Supported => Bits(Cancel, DependsOn, GetDetails, GetFiles, GetPackages, GetRepoList, RequiredBy, GetUpdateDetail,
        GetUpdates, InstallPackages, RefreshCache, RemovePackages, RepoEnable, Resolve, SearchDetails, SearchFile, SearchName, UpdatePackages, WhatProvides,
        DownloadPackages);

    public static ulong Bits(params uint[] values) => values.Aggregate(0UL, (bits, v) => bits | (1UL << (int)v));
}

internal static class PkStatus
{
    public const uint Wait = 1, Setup = 2, Running = 3, Query = 4, Remove = 6, RefreshCache = 7, Download = 8, Install = 9, Update = 10,
        DepResolve = 13, Finished = 18, WaitingForAuth = 31;
}

internal static class PkInfo
{
    public const uint Installed = 1, Available = 2, Normal = 5, Downloading = 10, Updating = 11, Installing = 12, Removing = 13, Reinstalling = 19;
}

internal static class PkExit
{
    public const uint Success = 1, Failed = 2, Cancelled = 3;
}

internal static class PkError
{
    public const uint NotSupported = 3, Internal = 4, PackageIdInvalid = 6, NotInstalled = 7, NotFound = 8, AlreadyInstalled = 9, DependencyFailed = 13,
        DownloadFailed = 10, TransactionError = 16, Cancelled = 17, RepoNotFound = 19, CannotGetLock = 26, NoSpace = 46, NotAuthorized = 48,
        CannotGetFileList = 52;

    /// <summary>PackageKit's name of an error code (pk_error_enum_to_string), as the offline results file spells it.</summary>
    public static string Name(uint code) => code switch
    {
        NotSupported => "not-supported",
        PackageIdInvalid => "package-id-invalid",
        NotInstalled => "package-not-installed",
        NotFound => "package-not-found",
        AlreadyInstalled => "package-already-installed",
        DependencyFailed => "dep-resolution-failed",
        DownloadFailed => "package-download-failed",
        TransactionError => "transaction-error",
        Cancelled => "transaction-cancelled",
        CannotGetLock => "cannot-get-lock",
        NoSpace => "no-space-on-device",
        NotAuthorized => "not-authorized",
        _ => "internal-error",
    };
}

/// <summary>Filter bits (OR of 1&lt;&lt;value).</summary>
internal static class PkFilter
{
    public const int Installed = 2, NotInstalled = 3, Newest = 16, Arch = 18, NotArch = 19, Source = 20, NotSource = 21;

    public static ulong Supported => PkRole.Bits(Installed, NotInstalled, Newest, Arch, NotArch, Source, NotSource);

    public static bool Has(ulong filter, int bit) => (filter & (1UL << bit)) != 0;
}

/// <summary>Transaction flag bits (OR of 1&lt;&lt;value).</summary>
internal static class PkFlag
{
    public const int OnlyTrusted = 1, Simulate = 2, OnlyDownload = 3, AllowReinstall = 4;

    public static bool Has(ulong flags, int bit) => (flags & (1UL << bit)) != 0;
}
