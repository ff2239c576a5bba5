using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Distri.Core.FileTree;
using Distri.Core.Packages;
using Distrid.Tests.Support;
using LinkShaper;

namespace Distrid.Tests.Progress;

/// <summary>
/// districtl's progress on a terminal tells the truth about a slow link (issue 13, item 8): six 3 MB images over a
/// link shaped to 20 Mbit/s with a 40 ms round trip, installed through a pseudo-terminal (script(1)) so that the
/// Spectre.Console bars draw as they do for a person. The plan and the download size appear before the first speed;
/// once the download has run 2 s every total speed printed is within 25 % of the link's rate and no package claims
/// more than the link; the last line gives bytes, time and a mean speed that matches the link too.
/// </summary>
public sealed partial class TruthfulProgressTests
{
    private const long LinkBitsPerSecond = 20_000_000;
    private const double LinkBytesPerSecond = LinkBitsPerSecond / 8.0;
    private const int ImageBytes = 3 * 1000 * 1000;
    private static readonly string[] Names = [.. Enumerable.Range(1, 6).Select(i => $"blob{i}-amd64-1.0-1")];

    [Fact]
    public async Task Speeds_follow_the_shaped_link_and_the_plan_comes_first()
    {
        if (!Requirements.Tool("script"))
        {
            return;
        }

        await using var system = MirroredSystem.TryCreate(mirror =>
        {
            foreach (string name in Names)
            {
                AddIncompressible(mirror, name);
            }
        });
        if (system is null)
        {
            return;
        }

        await using var link = ShapedLink.Start(new LinkProfile(LinkBitsPerSecond, TimeSpan.FromMilliseconds(40)), system.Mirror.Url.Port);
        string shapedUrl = new UriBuilder(system.Mirror.Url) { Port = link.Port }.Uri.ToString();
        await using var daemon = await DaemonProcess.StartAsync(system.Paths, "--repo", shapedUrl, "--trusted-keys", system.Mirror.TrustedKeys);

        var screen = await RunOnTerminalAsync(["--socket", system.Paths.Socket, "install", .. Names.Select(n => n.Split("-amd64")[0])]);
        string text = screen.Text;
        string context = $"the terminal showed:\n{text}";

        Assert.True(screen.ExitCode == 0, context);
        int plan = text.IndexOf("download 6 images", StringComparison.Ordinal);
        int firstSpeed = SpeedPattern().Match(text) is { Success: true } m ? m.Index : -1;
        Assert.True(plan >= 0, "no plan line before the download; " + context);
        Assert.True(firstSpeed > plan, "a speed was printed before the plan; " + context);
        foreach (string name in Names)
        {
            Assert.Contains($"add     {name}", text[..firstSpeed], StringComparison.Ordinal);
        }

        // The download starts when the plan is printed; from 2 s on, every total speed shown must match the link.
        var planShown = screen.Chunks.First(c => c.Text.Contains("download 6 images", StringComparison.Ordinal)).At;
        var totals = new List<double>();
        foreach (var (at, chunk) in screen.Chunks.Where(c => c.At >= planShown + TimeSpan.FromSeconds(2)))
        {
            foreach (string line in Lines(chunk))
            {
                if (SpeedPattern().Match(line) is not { Success: true } speed)
                {
                    continue;
                }

                double bytesPerSecond = BytesPerSecond(speed);
                if (line.TrimStart().StartsWith("total", StringComparison.Ordinal))
                {
                    totals.Add(bytesPerSecond);
                }
                else
                {
                    Assert.True(bytesPerSecond <= LinkBytesPerSecond * 1.25, $"a package claims {line.Trim()} on a {LinkBytesPerSecond:0} B/s link; {context}");
                }
            }
        }

        Assert.True(totals.Count >= 3, $"only {totals.Count} total speeds shown after 2 s; {context}");
        Assert.All(totals, t => Assert.InRange(t, LinkBytesPerSecond * 0.75, LinkBytesPerSecond * 1.25));

        // The last line: what changed, and the download's bytes, time and mean speed.
        string last = Lines(text).Last(l => l.Trim().Length > 0);
        var summary = SummaryPattern().Match(last);
        Assert.True(summary.Success, $"last line '{last}' lacks bytes, time and mean speed; {context}");
        double seconds = double.Parse(summary.Groups["seconds"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, Names.Length * ImageBytes / LinkBytesPerSecond * 0.9, Names.Length * ImageBytes / LinkBytesPerSecond * 1.5);
        Assert.InRange(BytesPerSecond(SpeedPattern().Match(summary.Groups["mean"].Value)), LinkBytesPerSecond * 0.75, LinkBytesPerSecond * 1.25);
    }

    /// <summary>A package with one file of random bytes: its image (and its .zst copy) stays about 3 MB.</summary>
    private static void AddIncompressible(TestMirror mirror, string fullName)
    {
        string tree = Path.Combine(mirror.Root, "tree-" + fullName);
        Directory.CreateDirectory(Path.Combine(tree, "share"));
        byte[] data = new byte[ImageBytes];
        Random.Shared.NextBytes(data);
        File.WriteAllBytes(Path.Combine(tree, "share", "blob"), data);
        PackageBuilder.Build(DirectoryScanner.Scan(tree), PackageName.Parse(fullName), new PackageBuildOptions { Summary = "3 MB of noise" }, Path.Combine(mirror.Repository, "pkg"));
        Directory.Delete(tree, recursive: true);
    }

    private sealed record Screen(int ExitCode, string Text, IReadOnlyList<(TimeSpan At, string Text)> Chunks);

    /// <summary>
    /// Runs districtl on a pseudo-terminal of 200 columns (script -q -f -e), reading what it draws as it comes, each
    /// chunk with the time it arrived; escape sequences are removed, lines are what a person would read.
    /// </summary>
    private static async Task<Screen> RunOnTerminalAsync(string[] args)
    {
        string? executable = Environment.GetEnvironmentVariable("DISTRICTL_EXE");
        string districtl = string.IsNullOrEmpty(executable) ? "dotnet " + Quote(Path.Combine(AppContext.BaseDirectory, "districtl.dll")) : Quote(executable);
        string command = $"stty cols 200 rows 60; exec {districtl} {string.Join(' ', args.Select(Quote))}";
        var psi = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string a in (string[])["-q", "-f", "-e", "-c", command, "/dev/null"])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(psi)!;
        var started = Stopwatch.GetTimestamp();
        var chunks = new List<(TimeSpan, string)>();
        var all = new StringBuilder();
        var decoder = Encoding.UTF8.GetDecoder();
        byte[] buffer = new byte[64 * 1024];
        char[] chars = new char[buffer.Length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stream = process.StandardOutput.BaseStream;
        int n;
        while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            int count = decoder.GetChars(buffer, 0, n, chars, 0);
            string text = Strip(new string(chars, 0, count));
            chunks.Add((Stopwatch.GetElapsedTime(started), text));
            all.Append(text);
        }

        await process.WaitForExitAsync(timeout.Token);
        return new Screen(process.ExitCode, all.ToString(), chunks);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Strip(string terminal) => EscapePattern().Replace(ColourPattern().Replace(terminal, ""), "\n");

    private static IEnumerable<string> Lines(string text) => text.Split(['\n', '\r'], StringSplitOptions.None);

    private static double BytesPerSecond(Match speed)
    {
        double value = double.Parse(speed.Groups["value"].Value, CultureInfo.InvariantCulture);
        return value * speed.Groups["unit"].Value switch
        {
            "KiB" => 1024,
            "MiB" => 1024 * 1024,
            "GiB" => 1024 * 1024 * 1024,
            _ => 1,
        };
    }

    [GeneratedRegex(@"(?<value>\d+(?:\.\d+)?) (?<unit>B|KiB|MiB|GiB)/s")]
    private static partial Regex SpeedPattern();

    [GeneratedRegex(@"generation \d+ -> \d+; downloaded \d+(?:\.\d+)? \w+ in (?<seconds>\d+(?:\.\d+)?) s \((?<mean>[^)]+)\)")]
    private static partial Regex SummaryPattern();

    // Colours and styles go; cursor movements and mode switches become line breaks, so that redrawn rows read as lines.
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex ColourPattern();

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")]
    private static partial Regex EscapePattern();
}
