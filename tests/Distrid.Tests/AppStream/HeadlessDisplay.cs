using System.Diagnostics;

namespace Distrid.Tests.AppStream;

/// <summary>
/// An Xvfb X server on a free display (Xvfb picks it and writes its number to <c>-displayfd</c> once it accepts
/// clients: the readiness signal), unix socket only, and screenshots of its root window through ImageMagick.
/// </summary>
public sealed class HeadlessDisplay : IDisposable
{
    public const string Xvfb = "/usr/bin/Xvfb";
    public const string Import = "/usr/bin/import";
    public const int Width = 1280;
    public const int Height = 800;

    private readonly Process _server;

    private HeadlessDisplay(Process server, string display)
    {
        _server = server;
        Display = display;
    }

    /// <summary>The DISPLAY value, e.g. <c>:1</c>.</summary>
    public string Display { get; }

    public static async Task<HeadlessDisplay> StartAsync()
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-c", $"exec {Xvfb} -displayfd 1 -screen 0 {Width}x{Height}x24 -nolisten tcp -noreset" })
        {
            psi.ArgumentList.Add(argument);
        }

        var server = Process.Start(psi) ?? throw new InvalidOperationException("cannot start Xvfb");
        _ = server.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? number = await server.StandardOutput.ReadLineAsync(timeout.Token);
        if (string.IsNullOrWhiteSpace(number))
        {
            server.Kill(entireProcessTree: true);
            throw new InvalidOperationException("Xvfb did not report a display");
        }

        return new HeadlessDisplay(server, ":" + number.Trim());
    }

    /// <summary>The root window as packed 8-bit RGB, <see cref="Width"/> × <see cref="Height"/>.</summary>
    public byte[] CaptureRgb(string scratch)
    {
        string path = Path.Combine(scratch, "screen.rgb");
        Run(Import, "-display", Display, "-window", "root", "-depth", "8", "rgb:" + path);
        byte[] pixels = File.ReadAllBytes(path);
        return pixels.Length == Width * Height * 3 ? pixels : throw new InvalidOperationException($"screenshot has {pixels.Length} bytes");
    }

    public void SavePng(string path) => Run(Import, "-display", Display, "-window", "root", "png:" + path);

    public void Click(int x, int y) => Run("/usr/bin/xdotool", "mousemove", x.ToString(System.Globalization.CultureInfo.InvariantCulture),
        y.ToString(System.Globalization.CultureInfo.InvariantCulture), "click", "1");

    private void Run(string tool, params string[] arguments)
    {
        var psi = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["DISPLAY"] = Display;
        using var process = Process.Start(psi)!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed: {error}");
        }
    }

    public void Dispose()
    {
        if (!_server.HasExited)
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit();
        }

        _server.Dispose();
    }
}
