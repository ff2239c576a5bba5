using System.Diagnostics;
using System.Text.RegularExpressions;
using Distri.Core.Relocation;

namespace Distri.Core.Tests.Relocation;

/// <summary>Our bounded ELF reader against readelf, on the machine's own programs and libraries.</summary>
public sealed partial class ElfDynamicInfoTests
{
    [Theory]
    [InlineData("/usr/bin/ls")]
    [InlineData("/usr/bin/perl")]
    [InlineData("/usr/lib/x86_64-linux-gnu/libc.so.6")]
    [InlineData("/usr/lib/x86_64-linux-gnu/libz.so.1")]
    public void Read_AgreesWithReadelf(string path)
    {
        if (!File.Exists(path) || !File.Exists("/usr/bin/readelf"))
        {
            return;
        }

        using var stream = File.OpenRead(path);
        var elf = ElfDynamicInfo.Read(stream);
        Assert.NotNull(elf);
        string readelf = Run("readelf", "-ldW", path);
        var interpreter = Interpreter().Match(readelf);
        Assert.Equal(interpreter.Success ? interpreter.Groups[1].Value : null, elf.Interpreter);
        Assert.Equal(Needed().Matches(readelf).Select(m => m.Groups[1].Value), elf.Needed);
        var soname = Soname().Match(readelf);
        Assert.Equal(soname.Success ? soname.Groups[1].Value : null, elf.Soname);
        Assert.Equal(ElfDynamicInfo.MachineX86_64, elf.Machine);
    }

    [Fact]
    public void Read_RefusesWhatIsNotElfOrIsTruncated()
    {
        Assert.Null(ElfDynamicInfo.Read(new MemoryStream("#!/bin/sh\necho not elf\n"u8.ToArray())));
        if (File.Exists("/usr/bin/ls"))
        {
            byte[] start = File.ReadAllBytes("/usr/bin/ls")[..200];
            Assert.Null(ElfDynamicInfo.Read(new MemoryStream(start)));
        }
    }

    [Fact]
    public void MaintainerScripts_LiteralAlternativesBecomeLinks_HostChangesAreRecorded()
    {
        const string postinst = """
            #!/bin/sh
            set -e
            if [ "$1" = configure ]; then
            	update-alternatives --install /usr/sbin/rmt rmt /usr/sbin/rmt-tar 50 \
            		--slave /usr/share/man/man8/rmt.8.gz rmt.8.gz \
            			/usr/share/man/man8/rmt-tar.8.gz
                update-alternatives --install /usr/bin/x x "$target" 10
                getent group rdma > /dev/null 2>&1 || addgroup --system --quiet rdma
                if command -v setcap > /dev/null; then
                    if setcap cap_net_raw+ep /usr/bin/ping; then :; fi
                fi
            fi
            """;
        var impure = new List<string>();
        var alternatives = MaintainerScriptFacts.Alternatives(postinst, impure.Add);
        Assert.Equal(
            [new("rmt", "/usr/sbin/rmt", "/usr/sbin/rmt-tar", 50), new("rmt.8.gz", "/usr/share/man/man8/rmt.8.gz", "/usr/share/man/man8/rmt-tar.8.gz", 50)],
            alternatives);
        Assert.Single(impure);
        Assert.Equal(["addgroup --system --quiet rdma", "setcap cap_net_raw+ep /usr/bin/ping"], MaintainerScriptFacts.HostRequirements(postinst));
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"Requesting program interpreter: ([^\]]+)\]")]
    private static partial Regex Interpreter();

    [GeneratedRegex(@"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")]
    private static partial Regex Needed();

    [GeneratedRegex(@"\(SONAME\)\s+Library soname: \[([^\]]+)\]")]
    private static partial Regex Soname();
}
