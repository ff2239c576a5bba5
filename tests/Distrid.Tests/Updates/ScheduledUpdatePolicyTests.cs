using Distrid.Hosting;
using Distrid.Transactions.Scheduled;

namespace Distrid.Tests.Updates;

/// <summary>The <c>scheduledUpdate</c> config object and its maintenance window: parsing, refusals, and what is inside.</summary>
public sealed class ScheduledUpdatePolicyTests
{
    [Theory]
    [InlineData("03:00-05:00", "03:00", true)]
    [InlineData("03:00-05:00", "04:59", true)]
    [InlineData("03:00-05:00", "05:00", false)]
    [InlineData("03:00-05:00", "02:59", false)]
    [InlineData("23:00-02:00", "23:30", true)]
    [InlineData("23:00-02:00", "00:00", true)]
    [InlineData("23:00-02:00", "01:59", true)]
    [InlineData("23:00-02:00", "02:00", false)]
    [InlineData("23:00-02:00", "12:00", false)]
    [InlineData(" 3:00 - 5:30 ", "05:15", true)]
    public void A_window_contains_its_start_but_not_its_end_and_may_run_over_midnight(string window, string time, bool inside) =>
        Assert.Equal(inside, MaintenanceWindow.Parse(window).Contains(TimeOnly.Parse(time, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("03:00")]
    [InlineData("3-5")]
    [InlineData("25:00-26:00")]
    [InlineData("03:00-05:00-07:00")]
    [InlineData("04:00-04:00")]
    public void A_malformed_or_empty_window_is_refused(string window) =>
        Assert.Throws<FormatException>(() => MaintenanceWindow.Parse(window));

    [Fact]
    public void The_config_object_becomes_the_policy_and_absent_fields_keep_the_defaults()
    {
        using var directory = new Support.TempDirectory();
        string path = Path.Combine(directory.Path, "distrid.json");
        File.WriteAllText(path, """{ "scheduledUpdate": { "mode": "apply", "window": "02:30-04:00", "keepGenerations": 5 } }""");
        var policy = DaemonConfigFile.Load(path).ApplyTo(new DaemonOptions()).ScheduledUpdate;
        Assert.True(policy.Apply);
        Assert.Equal("02:30-04:00", policy.Window?.ToString());
        Assert.Equal(5, policy.KeepGenerations);

        File.WriteAllText(path, """{ "scheduledUpdate": { } }""");
        var defaults = DaemonConfigFile.Load(path).ApplyTo(new DaemonOptions()).ScheduledUpdate;
        Assert.Equal(ScheduledUpdatePolicy.Default, defaults);
        Assert.Equal("download-only", defaults.Mode);
        Assert.Null(defaults.Window);
        Assert.Equal(3, defaults.KeepGenerations);
    }

    [Theory]
    [InlineData("""{ "mode": "install" }""", "scheduledUpdate.mode must be")]
    [InlineData("""{ "window": "late" }""", "scheduledUpdate.window: maintenance window \"late\" is not HH:MM-HH:MM")]
    [InlineData("""{ "keepGenerations": -1 }""", "scheduledUpdate.keepGenerations must be between 0")]
    [InlineData("""{ "when": "03:00" }""", "when")]
    public void A_bad_policy_stops_the_start_with_a_line_that_names_the_key(string policy, string expected)
    {
        using var directory = new Support.TempDirectory();
        string path = Path.Combine(directory.Path, "distrid.json");
        File.WriteAllText(path, $$"""{ "scheduledUpdate": {{policy}} }""");
        var error = Assert.Throws<InvalidDataException>(() => DaemonConfigFile.Load(path).ApplyTo(new DaemonOptions()));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
