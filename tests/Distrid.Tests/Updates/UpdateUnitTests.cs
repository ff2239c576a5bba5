using System.Globalization;
using System.Text.RegularExpressions;
using Distrid.Tests.Packaging;
using Distrid.Tests.Support;

namespace Distrid.Tests.Updates;

/// <summary>units/distrid-update.timer and .service, checked by systemd's own analyzer and against what they promise.</summary>
public sealed partial class UpdateUnitTests
{
    private const string Service = "distrid-update.service";
    private const string Timer = "distrid-update.timer";

    [Fact]
    public void Both_units_pass_systemd_analyze_verify_without_any_warning()
    {
        if (!Requirements.Tool(SystemdAnalyzeRoot.Tool))
        {
            return;
        }

        using var root = new SystemdAnalyzeRoot();
        var (exitCode, output) = root.Analyze("verify", "--man=no", Timer, Service);

        Assert.Equal(0, exitCode);
        Assert.Equal("", output);

        // The same run sees a broken unit, so the clean result above means something.
        File.AppendAllText(Path.Combine(root.UnitDirectory, Timer), "OnCalender=daily\n");
        Assert.Contains("Unknown key 'OnCalender'", root.Analyze("verify", "--man=no", Timer).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_is_sandboxed_far_more_than_the_daemon_can_be()
    {
        if (!Requirements.Tool(SystemdAnalyzeRoot.Tool))
        {
            return;
        }

        using var root = new SystemdAnalyzeRoot();
        var (_, output) = root.Analyze("security", "--offline=yes", "--no-pager", Service);

        Match overall = OverallExposure().Match(output);
        Assert.True(overall.Success, output);
        // 1.0 when written; the client needs only the daemon's socket.
        Assert.InRange(double.Parse(overall.Groups[1].Value, CultureInfo.InvariantCulture), 0.0, 2.0);
        Assert.Contains("✓ PrivateNetwork=", output, StringComparison.Ordinal);
        Assert.Contains("✓ CapabilityBoundingSet=~CAP_SYS_ADMIN", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_timer_is_off_until_enabled_catches_up_missed_runs_and_fires_inside_the_example_window()
    {
        var timer = RepositoryFiles.UnitAssignments("units/" + Timer).ToLookup(a => a.Key, a => a.Value);
        Assert.Equal("true", timer["Persistent"].Single());
        Assert.Equal(["timers.target"], timer["WantedBy"]);

        // OnCalendar plus the whole random delay stays inside 03:00-05:00 (the window packaging/distrid.json suggests),
        // with time left for the download that runs before the apply.
        var at = TimeOnly.ParseExact(timer["OnCalendar"].Single().Split(' ')[1], "HH:mm", CultureInfo.InvariantCulture);
        var delay = TimeSpan.FromHours(int.Parse(timer["RandomizedDelaySec"].Single().TrimEnd('h'), CultureInfo.InvariantCulture));
        Assert.Contains("\"window\": \"03:00-05:00\"", File.ReadAllText(RepositoryFiles.PathOf("packaging/distrid.json")), StringComparison.Ordinal);
        Assert.True(at >= new TimeOnly(3, 0) && at.Add(delay) <= new TimeOnly(4, 30), $"{at} + {delay}");

        var service = RepositoryFiles.UnitAssignments("units/" + Service).ToLookup(a => a.Key, a => a.Value);
        Assert.Equal("oneshot", service["Type"].Single());
        Assert.Equal("/usr/bin/districtl update --scheduled", service["ExecStart"].Single());
        Assert.Empty(service["WantedBy"]); // static: only the timer (or an admin) starts it
        Assert.Empty(service["User"]); // the daemon takes a scheduled run (origin "timer") from root only
        Assert.Equal("on-failure", service["Restart"].Single());
        Assert.True(int.Parse(service["StartLimitBurst"].Single(), CultureInfo.InvariantCulture) > 1);
    }

    [GeneratedRegex(@"Overall exposure level for distrid-update\.service: ([0-9.]+)")]
    private static partial Regex OverallExposure();
}
