using Districtl.Cli;

// districtl: a thin client. Every verb lives in Commands/, one file each; this file only runs the parser and turns
// failures into one clear line on stderr with a non-zero exit status.
return await CliApplication.RunAsync(args);
