using Districtl.Cli;

// districtl: a thin client. Every verb lives in Commands/, one file each; this file only runs the parser and turns
// failures into one clear line on stderr with a non-zero exit status. The thin flavour hands an offline verb to
// districtl-tools first, before it builds anything (districtl.csproj, DistrictlFlavor).
#if DISTRICTL_THIN
if (OfflineVerbs.IsOfflineCommandLine(args))
{
    return OfflineTool.Exec(args);
}
#endif

return await CliApplication.RunAsync(args);
