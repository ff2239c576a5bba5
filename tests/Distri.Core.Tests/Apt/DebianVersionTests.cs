using Distri.Core.Apt;
using Distri.Core.Tests.Support;

namespace Distri.Core.Tests.Apt;

public sealed class DebianVersionTests
{
    // Epochs, revisions, '~' (before everything, even the end), letters before other characters, leading zeros,
    // long digit runs, '+' and '.' and ':' in upstream, revisions with '~' and '+'.
    private static readonly string[] Versions =
    [
        "0", "1", "1.0", "1.0-1", "1.0-1.1", "1.0-2", "1.0~rc1", "1.0~rc1-1", "1.0~~", "1.0~", "1.0a", "1.0+", "1.0.1",
        "1.00", "1.01", "1:0.9", "2:1.0", "1.0-0", "1.0-1~bpo1", "1.0-1+deb12u1", "1.0-1+b1", "1.0+dfsg-1", "1.0a-1",
        "10", "9", "1.10", "1.9", "2.36-9+deb12u14", "2.36-9+deb12u4", "7.88.1-10+deb12u15", "7.88.1-10+deb12u5",
        "1:2.39.5-0+deb12u2", "1:2.39.5-0+deb12u1", "3.0.15-1~deb12u1", "3.0.15-1", "20230311", "0.5.12-2",
        "1.2.13.dfsg-1", "1:1.2.13.dfsg-1", "a", "A", "1.0-a", "1.0-A", "4.19.0-2+deb12u1", "99999999999999999999",
    ];

    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0~~", "1.0~", -1)]
    [InlineData("1.0", "1.0-0", 0)]
    [InlineData("1.0a", "1.0+", -1)]
    [InlineData("1:0.9", "2.0", 1)]
    [InlineData("1.00", "1.0", 0)]
    [InlineData("1.10", "1.9", 1)]
    [InlineData("7.88.1-10+deb12u15", "7.88.1-10+deb12u5", 1)]
    [InlineData("99999999999999999999", "9999999999999999999", 1)]
    public void Orders_known_pairs(string a, string b, int expected)
    {
        Assert.Equal(expected, Math.Sign(DebianVersion.Compare(a, b)));
        Assert.Equal(-expected, Math.Sign(DebianVersion.Compare(b, a)));
    }

    [Fact]
    public void Agrees_with_dpkg_on_every_pair()
    {
        // dpkg is the reference implementation and part of every Debian system this project targets.
        Assert.True(ProcessRunner.IsAvailable("dpkg"), "dpkg (the oracle) is not installed");

        var disagreements = new List<string>();
        for (int i = 0; i < Versions.Length; i++)
        {
            for (int j = i + 1; j < Versions.Length; j++)
            {
                int ours = Math.Sign(DebianVersion.Compare(Versions[i], Versions[j]));
                int dpkg = DpkgLessThan(Versions[i], Versions[j]) ? -1 : DpkgLessThan(Versions[j], Versions[i]) ? 1 : 0;
                if (ours != dpkg)
                {
                    disagreements.Add($"{Versions[i]} vs {Versions[j]}: ours {ours}, dpkg {dpkg}");
                }
            }
        }

        Assert.Empty(disagreements);
    }

    [Theory]
    [InlineData("2.36-9", ">=", "2.34", true)]
    [InlineData("2.36-9", "<<", "2.36", false)]
    [InlineData("2.36-9", "<<", "2.37~", true)]
    [InlineData("1.52.0-1", ">=", "1.52.0-1", true)]
    [InlineData("1.52.0-1", ">>", "1.52.0-1", false)]
    [InlineData("1.52.0-1", "=", "1.52.0-1", true)]
    [InlineData("1.52.0-1", "<=", "1.52.0", false)]
    public void Evaluates_relations(string version, string op, string constraint, bool expected) =>
        Assert.Equal(expected, DebianVersion.Satisfies(version, op, constraint));

    private static bool DpkgLessThan(string a, string b) =>
        ProcessRunner.Run("dpkg", ["--compare-versions", a, "lt", b], allowFailure: true).ExitCode == 0;
}
