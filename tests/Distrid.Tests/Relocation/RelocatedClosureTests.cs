using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Distrid.Tests.Relocation;

/// <summary>
/// Real closures (qemu-system-x86, python3, git, ack, curl, ure), relocated at import and served by a real daemon, run
/// in a root that holds nothing but /ro and /bin/sh; on the host they load no library from outside /ro; and every
/// imported package passes the static checks.
/// </summary>
public sealed class RelocatedClosureTests(RelocatedClosureFixture closure) : IClassFixture<RelocatedClosureFixture>
{
    [Fact]
    public async Task Qemu_ReportsItsVersionAndRunsAPcMachineThatQuitsCleanly_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        using var root = new EmptyRoot(closure.Mount);
        var version = await root.RunAsync(["/ro/bin/qemu-system-x86_64", "--version"]);
        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.StartsWith("QEMU emulator version", version.Stdout);

        // The pc machine needs its firmware (seabios, through qemu-system-data) and option ROMs from /ro.
        var machine = await root.RunAsync(["/ro/bin/qemu-system-x86_64", "-machine", "pc", "-S", "-display", "none", "-monitor", "stdio"],
            stdin: "info status\nquit\n");
        Assert.True(machine.ExitCode == 0, machine.Stderr);
        Assert.Contains("VM status: paused (prelaunch)", machine.Stdout);
    }

    [Fact]
    public async Task Python_ImportsSslAndSqliteWithItsStdlibFromRo_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        using var root = new EmptyRoot(closure.Mount);
        var result = await root.RunAsync(["/ro/bin/python3", "-c", "import ssl, sqlite3, os; print(os.__file__); print(ssl.OPENSSL_VERSION); print(sqlite3.connect(':memory:').execute('select 6*7').fetchone()[0])"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        string[] lines = result.Stdout.Split('\n');
        Assert.StartsWith("/ro/libpython3", lines[0]);
        Assert.StartsWith("OpenSSL", lines[1]);
        Assert.Equal("42", lines[2]);
    }

    [Fact]
    public async Task Numpy_SolvesWithLapackAndBlasFoundBelowTheLibraryDirectory_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        // libblas.so.3 and liblapack.so.3 lie in lib/x86_64-linux-gnu/{blas,lapack}/ (dpkg names them through
        // /etc/alternatives only); the import must find them there. det() goes through LAPACK, which calls BLAS.
        using var root = new EmptyRoot(closure.Mount);
        var result = await root.RunAsync(["/ro/bin/python3", "-c", "import numpy; print(round(numpy.linalg.det(numpy.array([[2.0, 1.0], [1.0, 3.0]])), 6))"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("5.0", result.Stdout.Trim());
    }

    [Fact]
    public async Task Python_LoadsTheBytecodeCompiledAtImportAndCompilesNothing_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        // No postinst ran py3compile, so the importer compiled numpy's and the stdlib's modules into each package's
        // own __pycache__ (unchecked-hash .pyc). Python's -v says for each module whether its code came from a .pyc
        // or from compiling the source, and whether it tried to write a .pyc.
        using var root = new EmptyRoot(closure.Mount);
        var result = await root.RunAsync(["/ro/bin/python3", "-v", "-c", "import numpy, ssl, json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        string[] lines = result.Stderr.Split('\n');
        string[] fromBytecode = [.. lines.Where(l => l.StartsWith("# code object from '/ro/", StringComparison.Ordinal) && l.EndsWith(".cpython-311.pyc'", StringComparison.Ordinal))];
        string[] compiled = [.. lines.Where(l => l.StartsWith("# code object from", StringComparison.Ordinal) && l.Contains(".py", StringComparison.Ordinal) && !l.Contains(".pyc", StringComparison.Ordinal))];
        Assert.Contains(fromBytecode, l => l.Contains("/numpy/__pycache__/__init__.cpython-311.pyc", StringComparison.Ordinal));
        Assert.Contains(fromBytecode, l => l.Contains("/lib/python3.11/__pycache__/ssl.cpython-311.pyc", StringComparison.Ordinal));
        Assert.True(compiled.Length == 0, string.Join('\n', compiled));
        Assert.DoesNotContain(lines, l => l.StartsWith("# could not create", StringComparison.Ordinal) || l.StartsWith("# wrote", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Git_InitCommitAndClone_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        using var root = new EmptyRoot(closure.Mount);
        // git runs /bin/sh and its helpers (git-upload-pack for the clone) as children: they must work too.
        var result = await root.RunAsync(["/ro/bin/sh", "-c",
            "set -e; cd /tmp; git init -q a; cd a; echo hello > file; git add file; " +
            "git -c user.name=Test -c user.email=test@example.org commit -q -m first; " +
            "cd /tmp; git clone -q a b; cd b; git log --format=%s; read line < file; echo \"$line\"; ls_templates=$(git rev-parse --git-path hooks); [ -d \"$ls_templates\" ] && echo hooks"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("first\nhello\nhooks\n", result.Stdout);
    }

    [Fact]
    public async Task Ack_FindsAPattern_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        using var root = new EmptyRoot(closure.Mount);
        File.WriteAllText(Path.Combine(root.Path, "tmp", "haystack.txt"), "straw\nneedle in here\nstraw\n");
        // ack searches its standard input instead of the files when that is a pipe, so it gets /dev/null.
        var result = await root.RunAsync(["/ro/bin/sh", "-c", "exec ack --nocolor --noheading needle /tmp/haystack.txt < /dev/null"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("needle in here\n", result.Stdout);
    }

    [Fact]
    public async Task Curl_FetchesOverHttpFrom127001_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = ServeOnceAsync(listener, "relocated curl works\n");
        using var root = new EmptyRoot(closure.Mount);
        var result = await root.RunAsync(["/ro/bin/curl", "-sS", $"http://127.0.0.1:{port}/hello"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("relocated curl works\n", result.Stdout);
        Assert.StartsWith("GET /hello HTTP/1.1", await server);
    }

    [Fact]
    public async Task Uno_StartsFromItsProgramDirectoryThatSevenPackagesFill_InARootWithOnlyRo()
    {
        if (!closure.Available)
        {
            return;
        }

        // dpkg fills lib/libreoffice/program from ure (the uno launcher script, uno.bin, unorc, services.rdb and the
        // components) and from libuno-sal3, libuno-cppu3, ... (libuno_sal.so.3, found through uno.bin's $ORIGIN). The
        // launcher runs uno.bin from its own directory, which reads unorc there and loads the components it names:
        // from /ro, ure runs from its merged copy of that directory. A known service is instantiated (and then refused,
        // it is no program); an unknown one is not found: the registry was read.
        using var root = new EmptyRoot(closure.Mount);
        var known = await root.RunAsync(["/ro/lib/libreoffice/program/uno", "-s", "com.sun.star.script.Converter"]);
        Assert.Contains("component does not export interface \"com.sun.star.lang.XMain\"", known.Stdout + known.Stderr);
        var unknown = await root.RunAsync(["/ro/lib/libreoffice/program/uno", "-s", "com.sun.star.no.Such"]);
        Assert.Contains("cannot get service instance \"com.sun.star.no.Such\"", unknown.Stdout + unknown.Stderr);
        // Seen from the host through the mount: the launcher resolves into ure's merged directory, whose
        // libuno_sal.so.3 is libuno-sal3's (a dependency, so by its versioned path).
        var launcher = new FileInfo(Path.Combine(closure.Mount, "lib/libreoffice/program/uno")).ResolveLinkTarget(returnFinalTarget: true);
        Assert.NotNull(launcher);
        string merged = Path.GetDirectoryName(Path.GetRelativePath(closure.Mount, launcher.FullName))!;
        Assert.Matches("^ure-amd64-[^/]+/.distrid/merged/lib/libreoffice/program$", merged);
        Assert.Matches("^/ro/libuno-sal3-amd64-[^/]+/lib/libreoffice/program/libuno_sal.so.3$",
            new FileInfo(Path.Combine(closure.Mount, merged, "libuno_sal.so.3")).LinkTarget);
    }

    [Fact]
    public async Task OnTheHost_TheProgramsLoadNoLibraryFromOutsideRo()
    {
        if (!closure.Available)
        {
            return;
        }

        string[][] programs =
        [
            ["/ro/bin/qemu-system-x86_64", "--version"],
            ["/ro/bin/python3", "-c", "import ssl, sqlite3"],
            ["/ro/bin/git", "--version"],
            ["/ro/bin/ack", "--version"],
            ["/ro/bin/curl", "--version"],
        ];
        foreach (string[] program in programs)
        {
            var result = await EmptyRoot.RunOnHostAsync(closure.Mount, program, new Dictionary<string, string> { ["LD_DEBUG"] = "libs" });
            Assert.True(result.ExitCode == 0, result.Stderr);
            // The loader logs every object it initialises ("calling init: PATH"), in every process (the wrapper's
            // shell, the program, its children). No allowlist is needed: every one must come from /ro.
            var loaded = result.Stderr.Split('\n').Select(l => l.IndexOf("calling init: ", StringComparison.Ordinal) is int at and >= 0 ? l[(at + 14)..].Trim() : null)
                .OfType<string>().ToList();
            Assert.NotEmpty(loaded);
            Assert.All(loaded, path => Assert.StartsWith("/ro/", path));
            Assert.Contains(loaded, path => path.Contains("/libc.so.6", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task StaticChecks_EveryImportedPackage()
    {
        if (!closure.Available)
        {
            return;
        }

        var findings = await RelocationStaticChecks.CheckAsync(closure.Mount, closure.Images);
        Assert.True(findings.Count == 0, string.Join('\n', findings.Take(50)));
    }

    private static async Task<string> ServeOnceAsync(TcpListener listener, string body)
    {
        using var client = await listener.AcceptTcpClientAsync();
        using var stream = client.GetStream();
        var request = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && request.Length < 65536)
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        byte[] content = Encoding.UTF8.GetBytes(body);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(content);
        return request.ToString();
    }
}
