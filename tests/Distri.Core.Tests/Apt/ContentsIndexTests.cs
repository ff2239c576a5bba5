using Distri.Core.Apt;

namespace Distri.Core.Tests.Apt;

public sealed class ContentsIndexTests
{
    [Fact]
    public void Finds_the_packages_that_ship_wanted_paths()
    {
        const string contents = """
            bin/sh                                                   shells/dash
            usr/bin/perl                                             perl/perl-base
            usr/lib/x86_64-linux-gnu/libssl.so.3                     libs/libssl3,libs/libssl3t64
            usr/share/doc/a file with spaces/README                  doc/weird
            usr/share/other                                          misc/other
            """;
        var found = ContentsIndex.Find(new StringReader(contents), new HashSet<string> { "bin/sh", "usr/lib/x86_64-linux-gnu/libssl.so.3", "usr/share/doc/a file with spaces/README", "nowhere" });
        Assert.Equal(["dash"], found["bin/sh"]);
        Assert.Equal(["libssl3", "libssl3t64"], found["usr/lib/x86_64-linux-gnu/libssl.so.3"]);
        Assert.Equal(["weird"], found["usr/share/doc/a file with spaces/README"]);
        Assert.False(found.ContainsKey("nowhere"));
    }

    [Fact]
    public void Candidate_paths_cover_merged_usr_and_library_directories()
    {
        Assert.Equal(["bin/sh", "usr/bin/sh"], ContentsIndex.CandidatePaths("path", "/bin/sh", "amd64"));
        Assert.Equal(["usr/bin/perl", "bin/perl"], ContentsIndex.CandidatePaths("path", "/usr/bin/perl", "amd64"));
        Assert.Equal(["usr/share/x"], ContentsIndex.CandidatePaths("path", "/usr/share/x", "amd64"));
        Assert.Contains("usr/lib/x86_64-linux-gnu/libz.so.1", ContentsIndex.CandidatePaths("soname", "libz.so.1", "amd64"));
        Assert.Contains("lib/aarch64-linux-gnu/libz.so.1", ContentsIndex.CandidatePaths("soname", "libz.so.1", "arm64"));
    }
}
