using Distri.Core.Debian;

namespace Distri.Core.Tests.Debian;

public sealed class DebMappingTests
{
    [Theory]
    [InlineData("./usr/bin/x", "bin/x")]
    [InlineData("./usr/lib/x86_64-linux-gnu/libc.so.6", "lib/x86_64-linux-gnu/libc.so.6")]
    [InlineData("./usr/share/doc/x/copyright", "share/doc/x/copyright")]
    [InlineData("./usr/games/fortune", "games/fortune")]
    [InlineData("./lib64/ld-linux-x86-64.so.2", "lib64/ld-linux-x86-64.so.2")]
    [InlineData("./etc/x.conf", "etc/x.conf")]
    [InlineData("./", "")]
    [InlineData("./usr/../../etc/shadow", null)]
    public void PathsLoseUsr(string tarName, string? expected) => Assert.Equal(expected, DebPathMapping.MapPath(tarName));

    [Theory]
    [InlineData("./usr/bin/x-abs", "bin/x-abs", "/usr/bin/x", "x")]
    [InlineData("./usr/share/x/to-bin", "share/x/to-bin", "/usr/bin/x", "../../bin/x")]
    [InlineData("./usr/bin/perl-link", "bin/perl-link", "/usr/bin/perl", "/usr/bin/perl")]
    [InlineData("./lib/x-cross", "lib/x-cross", "../usr/lib/libx.so.1", "libx.so.1")]
    [InlineData("./usr/lib/libx.so", "lib/libx.so", "libx.so.1", "libx.so.1")]
    [InlineData("./usr/lib/libx.so", "lib/libx.so", "./libx.so.1", "./libx.so.1")]
    [InlineData("./usr/share/x/up", "share/x/up", "../../../../etc/passwd", "../../../../etc/passwd")]
    public void SymlinkTargets(string debianPath, string path, string target, string expected) =>
        Assert.Equal(expected, DebPathMapping.RewriteTarget(debianPath, path, target, p => p is "bin/x" or "lib/libx.so.1"));

    [Theory]
    [InlineData("1:2.3-4+deb12u1", "2.3")]
    [InlineData("2.10-3", "2.10")]
    [InlineData("1.0~rc1-2", "1.0_rc1")]
    [InlineData("3.6.0", "3.6.0")]
    [InlineData("1.2-beta-3", "1.2_beta")]
    public void VersionsKeepUpstreamOnly(string debian, string expected) => Assert.Equal(expected, DebNameMapping.MapVersion(debian));

    [Theory]
    [InlineData("amd64", "amd64")]
    [InlineData("all", "amd64")]
    [InlineData("arm64", "arm64")]
    [InlineData("i386", "i686")]
    public void Architectures(string debian, string expected) => Assert.Equal(expected, DebNameMapping.MapArchitecture(debian));

    [Fact]
    public void UnknownArchitectureIsRefused() => Assert.Throws<InvalidDataException>(() => DebNameMapping.MapArchitecture("mips64el"));

    [Fact]
    public void ControlFieldsAndRelations()
    {
        var control = DebControl.Parse(
            "Package: ack\nVersion: 3.6.0-1\nArchitecture: all\nPre-Depends: dpkg (>= 1.17)\n"
            + "Depends: libfile-next-perl (>= 1.18), perl:any | perl-base [amd64]\nDescription: grep-like program\n more text\n .\n");
        Assert.Equal("ack", control.Package);
        Assert.Equal("grep-like program", control.Summary);
        Assert.Equal(3, control.Depends.Count);
        Assert.Equal("dpkg", control.Depends[0][0].Package);
        Assert.Equal(["perl", "perl-base"], control.Depends[2].Select(r => r.Package));
    }

    [Fact]
    public void ControlWithoutPackageIsRefused() =>
        Assert.Throws<InvalidDataException>(() => DebControl.Parse("Version: 1\nArchitecture: all\n"));
}
