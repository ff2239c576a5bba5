using System.Diagnostics;
using System.Reflection;
using Distrid.Api;

namespace Distrid.Tests.Packaging;

/// <summary>issue 10 item 9: one version from one place. packaging/VERSION is what the .deb is called and what
/// <c>distrid --version</c>, <c>districtl --version</c> and the status DTO say.</summary>
public sealed class VersionTests
{
    /// <summary>As Directory.Build.props and build-deb.sh decide it: DISTRID_VERSION, else packaging/VERSION.</summary>
    private static string Expected =>
        Environment.GetEnvironmentVariable("DISTRID_VERSION") is { Length: > 0 } overridden
            ? overridden
            : File.ReadAllText(RepositoryFiles.PathOf("packaging/VERSION")).Trim();

    [Theory]
    [InlineData("distrid.dll")]
    [InlineData("districtl.dll")]
    public async Task The_version_option_says_packaging_VERSION(string program)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        psi.ArgumentList.Add("--version");
        using var process = Process.Start(psi)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(Expected, output.Trim());
    }

    [Fact]
    public void The_status_version_is_packaging_VERSION()
    {
        var field = typeof(DistridQueries).GetField("DaemonVersion", BindingFlags.NonPublic | BindingFlags.Static);
        Assert.NotNull(field);
        Assert.Equal(Expected, field.GetValue(null));
    }

    [Fact]
    public void The_deb_takes_its_version_from_packaging_VERSION()
    {
        string script = File.ReadAllText(RepositoryFiles.PathOf("packaging/build-deb.sh"));
        Assert.Contains("version=${DISTRID_VERSION:-$(cat \"$here/VERSION\")}", script);
        Assert.Contains("Version: $version", script);
        Assert.Matches(@"^[0-9]+\.[0-9]+\.[0-9]+-[0-9A-Za-z.+~]+$", Expected);
    }
}
