using Distri.Core.Packages;

namespace Distri.Core.Tests.Packages;

public sealed class PackageNameTests
{
    [Theory]
    [InlineData("zsh-amd64-5.9-3", "zsh", "amd64", "5.9", 3)]
    [InlineData("gcc-libs-arm64-12.2.0-14", "gcc-libs", "arm64", "12.2.0", 14)]
    [InlineData("a-i686-1~rc1+dfsg-1", "a", "i686", "1~rc1+dfsg", 1)]
    public void Parses_full_names_whose_name_may_contain_dashes(string full, string name, string arch, string version, int revision)
    {
        var parsed = PackageName.Parse(full);

        Assert.Equal((name, arch, version, revision), (parsed.Name, parsed.Arch, parsed.Version, parsed.Revision));
        Assert.Equal(full, parsed.FullName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zsh")]
    [InlineData("zsh-amd64-5.9")]
    [InlineData("zsh-sparc-5.9-3")]
    [InlineData("zsh-amd64-5.9-0")]
    [InlineData("zsh-amd64-5.9-03")]
    [InlineData("zsh-amd64-5.9-x")]
    [InlineData("../x-amd64-1-1")]
    [InlineData("a/b-amd64-1-1")]
    [InlineData("-x-amd64-1-1")]
    [InlineData("x-amd64--1")]
    [InlineData("x-amd64-1-99999999999")]
    public void Rejects_bad_full_names_with_a_reason(string full)
    {
        Assert.False(PackageName.TryParse(full, out _, out string? error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Revision_orders_versions_of_one_name_never_the_version_string()
    {
        var older = PackageName.Parse("less-amd64-600-2");
        var newer = PackageName.Parse("less-amd64-530-10");

        Assert.True(newer.CompareTo(older) > 0);
    }
}
