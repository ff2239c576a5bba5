using System.Diagnostics;
using Distri.Core.Tests.Support;
using Distrid.Tests.Support;

namespace Distrid.Tests.AppStream;

/// <summary>
/// GNOME Software 43 itself, headless under Xvfb with its own session bus, against distrid's PackageKit service on
/// the private system bus (reference/packagekit/gnome-software/README.md): it opens the page of our application from
/// our catalog, a click on Install installs it, and the program appears in /ro/bin. It runs in an empty network
/// namespace (nothing leaves the machine; GIO's base network monitor makes it consider itself online) and a private
/// mount namespace whose /var/cache/swcatalog is the daemon's catalog directory.
/// </summary>
public sealed class GnomeSoftwareTests(AppStreamFixture fixture) : IClassFixture<AppStreamFixture>
{
    public const string GnomeSoftware = "/usr/bin/gnome-software";

    /// <summary>Where the screenshots go (docs/gnome-software-distrid.png is the app page from a run of this test).</summary>
    public static readonly string ScreenshotDirectory = "/var/tmp/distrid-ci/gnome-software";

    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task It_opens_our_app_page_and_an_install_click_puts_the_program_in_ro_bin()
    {
        if (!AppStreamFixture.Ready(GnomeSoftware, HeadlessDisplay.Xvfb, HeadlessDisplay.Import, "/usr/bin/xdotool", "/usr/bin/dbus-run-session"))
        {
            return;
        }

        var refresh = await fixture.Bus!.RunAsync(PackageKit.PackageKitFixture.Pkcon, ["refresh"]);
        Assert.True(refresh.ExitCode == 0, refresh.StandardOutput + refresh.StandardError);
        Assert.True(File.Exists(fixture.InstalledCatalog));
        string program = Path.Combine(fixture.System!.Paths.Mountpoint, "bin", TestApps.AppPackage);
        Assert.False(File.Exists(program));

        Directory.CreateDirectory(ScreenshotDirectory);
        using var scratch = new TempDirectory("distrid-gnome-software");
        using var display = await HeadlessDisplay.StartAsync();
        string log = Path.Combine(scratch.Path, "gnome-software.log");
        using var software = StartGnomeSoftware(display, scratch.Path, log);
        try
        {
            // Ready: the page shows its Install button (GNOME's accent blue); then the screenshot of our app page.
            var button = await PollAsync(PageTimeout, () => ButtonFinder.FindAccentButton(display.CaptureRgb(scratch.Path), HeadlessDisplay.Width, HeadlessDisplay.Height));
            display.SavePng(Path.Combine(ScreenshotDirectory, "app-page.png"));
            Assert.True(button is not null, $"no Install button within {PageTimeout.TotalSeconds} s; see {ScreenshotDirectory}/app-page.png; log: {Tail(log)}");

            // The page shows our catalog's cached icon (its green is nowhere else in GNOME Software's palette).
            Assert.True(CountColor(display.CaptureRgb(scratch.Path), TestApps.IconColor) > 2000, $"our icon is not on the page; see {ScreenshotDirectory}/app-page.png");

            display.Click(button.Value.X, button.Value.Y);
            bool installed = await PollAsync(InstallTimeout, () => File.Exists(program) ? true : (bool?)null) ?? false;
            display.SavePng(Path.Combine(ScreenshotDirectory, "after-install.png"));
            Assert.True(installed, $"{program} did not appear within {InstallTimeout.TotalSeconds} s; log: {Tail(log)}; daemon: {Tail(fixture.System.Daemon!.Stderr)}");

            var run = ProcessRunner.Run(program, [], allowFailure: true);
            Assert.Equal("hello from gshello\n", run.StandardOutput);
            var list = await fixture.System.CliAsync("list");
            Assert.Contains(TestApps.AppFullName, list.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!software.HasExited)
            {
                software.Kill(entireProcessTree: true);
                await software.WaitForExitAsync();
            }
        }
    }

    private Process StartGnomeSoftware(HeadlessDisplay display, string scratch, string log)
    {
        string home = Path.Combine(scratch, "home");
        string runtime = Path.Combine(scratch, "runtime");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(runtime);
        File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var psi = new ProcessStartInfo("/usr/bin/unshare") { UseShellExecute = false };
        foreach (string argument in AppStreamFixture.InCatalogNamespace(fixture.System!.Paths.SoftwareCatalog,
            $"exec /usr/bin/dbus-run-session -- {GnomeSoftware} --details={TestApps.AppId} >\"$1\" 2>&1", isolateNetwork: true, log))
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["DISPLAY"] = display.Display;
        psi.Environment["HOME"] = home;
        psi.Environment["XDG_RUNTIME_DIR"] = runtime;
        psi.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        psi.Environment["GSETTINGS_BACKEND"] = "memory";
        psi.Environment["GTK_A11Y"] = "none";
        psi.Environment["NO_AT_BRIDGE"] = "1";
        psi.Environment["GSK_RENDERER"] = "cairo";
        psi.Environment["GIO_USE_NETWORK_MONITOR"] = "base";
        psi.Environment["LANG"] = "C.UTF-8";
        psi.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = fixture.Bus!.Address;
        psi.Environment.Remove("DBUS_SESSION_BUS_ADDRESS");
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start gnome-software");
    }

    /// <summary>Asks <paramref name="probe"/> every half second until it answers or the time is up (then null).</summary>
    private static async Task<T?> PollAsync<T>(TimeSpan timeout, Func<T?> probe)
        where T : struct
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(500);
        }

        return null;
    }

    private static int CountColor(byte[] rgb, (byte R, byte G, byte B) color)
    {
        int count = 0;
        for (int i = 0; i + 2 < rgb.Length; i += 3)
        {
            if (Math.Abs(rgb[i] - color.R) < 12 && Math.Abs(rgb[i + 1] - color.G) < 12 && Math.Abs(rgb[i + 2] - color.B) < 12)
            {
                count++;
            }
        }

        return count;
    }

    private static string Tail(string pathOrText)
    {
        string text = File.Exists(pathOrText) ? File.ReadAllText(pathOrText) : pathOrText;
        return text.Length <= 3000 ? text : text[^3000..];
    }
}
