using System.CommandLine;
using Districtl.Cli;
using Distrid.Tests.Support;

namespace Distrid.Tests.Client;

/// <summary>
/// The thin districtl's decision to hand a command line to districtl-tools (<see cref="OfflineVerbs"/>), checked
/// against what districtl's own parser (the full build's command tree) makes of the same words: a command line is
/// handed over only when it asks for an offline verb, and one the decision leaves to the parser is one it could not
/// read alone.
/// </summary>
public sealed class OfflineVerbsTests
{
    [Theory]
    [InlineData(true, "pack", "DIR", "--name", "n", "--version", "1", "--revision", "1", "-o", "out")]
    [InlineData(true, "--socket", "/run/x.sock", "pack", "DIR", "--name", "n", "--version", "1", "--revision", "1", "-o", "out")]
    [InlineData(true, "--socket=/run/x.sock", "--json", "pack", "DIR", "--name", "n", "--version", "1", "--revision", "1", "-o", "out")]
    [InlineData(true, "--socket:/run/x.sock", "unpack", "IMAGE", "DIR")]
    [InlineData(true, "--json", "repo", "build", "DIR")]
    [InlineData(true, "repo", "--socket", "/run/x.sock", "--json", "import-apt", "--source", "http://127.0.0.1/", "--suite", "s", "p", "-o", "r")]
    [InlineData(true, "keygen", "PREFIX")]
    [InlineData(true, "import-deb", "a.deb", "-o", "out")]
    [InlineData(true, "pack", "--help")]
    [InlineData(true, "repo", "build", "--help")]
    [InlineData(false, "status")]
    [InlineData(false, "--socket", "pack", "status")]
    [InlineData(false, "--json", "install", "pack")]
    [InlineData(false, "repo", "list")]
    [InlineData(false, "--json", "repo", "add", "http://127.0.0.1/build")]
    [InlineData(false, "repo", "--socket", "build", "list")]
    [InlineData(false, "run", "--", "pack")]
    [InlineData(false, "update", "--scheduled")]
    public void A_command_line_goes_to_the_tool_exactly_when_it_asks_for_an_offline_verb(bool offline, params string[] args)
    {
        Assert.Equal(offline, OfflineVerbs.IsOfflineCommandLine(args));

        var root = CliApplication.BuildRootCommand();
        var parsed = root.Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Equal(offline, OfflineVerbs.In(root).Contains(parsed.CommandResult.Command));
    }

    [Theory]
    [InlineData("repo")]
    [InlineData("repo", "--help")]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("--", "pack")]
    [InlineData("--socket")]
    [InlineData("-h", "pack")]
    public void Words_it_cannot_read_alone_stay_with_the_parser(params string[] args)
    {
        Assert.False(OfflineVerbs.IsOfflineCommandLine(args));
    }

    [Fact]
    public void A_response_file_is_left_to_the_parser_which_finds_the_offline_verb_in_it()
    {
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "args.rsp");
        File.WriteAllLines(file, ["--json", "pack", "DIR", "--name", "n", "--version", "1", "--revision", "1", "-o", "out"]);
        string[] args = ["@" + file];

        Assert.False(OfflineVerbs.IsOfflineCommandLine(args));
        var root = CliApplication.BuildRootCommand();
        var parsed = root.Parse(args);
        Assert.Empty(parsed.Errors);
        // The thin client gives these commands an action that hands the command line over (CliApplication).
        Assert.Contains(parsed.CommandResult.Command, OfflineVerbs.In(root));
    }

    [Fact]
    public void The_offline_verbs_are_the_six_the_design_names_and_the_full_build_runs_them_itself()
    {
        var root = CliApplication.BuildRootCommand();
        var offline = OfflineVerbs.In(root).ToList();

        Assert.Equal(["pack", "unpack", "keygen", "repo build", "repo import-apt", "import-deb"], offline.Select(PathOf));
        Assert.All(offline, command => Assert.NotNull(command.Action));
    }

    private static string PathOf(Command command) =>
        command.Parents.OfType<Command>().FirstOrDefault() is { } parent and not RootCommand ? $"{parent.Name} {command.Name}" : command.Name;
}
