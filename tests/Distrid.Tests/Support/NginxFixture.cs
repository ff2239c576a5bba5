using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Distrid.Tests.Support;

/// <summary>
/// A real nginx (from /usr/sbin/nginx) serving <see cref="Root"/> on 127.0.0.1, started for one test or fixture and
/// stopped in Dispose. Everything it writes (config, pid, error log, temp paths) lives in its own temp directory.
/// Use <see cref="TryStart"/>: it returns null (with a message) when nginx is missing, unless CI=true, where a missing
/// nginx is a failure.
/// </summary>
public sealed class NginxFixture : IDisposable
{
    public const string NginxPath = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _stateDir;

    private NginxFixture(Process process, string stateDir, string root, int port)
    {
        _process = process;
        _stateDir = stateDir;
        Root = root;
        Port = port;
    }

    /// <summary>The document root: files put here are served at <see cref="BaseUri"/>.</summary>
    public string Root { get; }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c></summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The URL of a path relative to the root, e.g. <c>UrlFor("repo")</c>.</summary>
    public Uri UrlFor(string relativePath) => new(BaseUri, relativePath);

    public string ErrorLog => Path.Combine(_stateDir, "error.log");

    /// <summary>
    /// Every request nginx answered so far, in the order it logged them (after each response): which connection
    /// (nginx's serial number) carried it, its number on that connection, its status and URI.
    /// </summary>
    public IReadOnlyList<NginxRequest> Requests()
    {
        string log = Path.Combine(_stateDir, "requests.log");
        if (!File.Exists(log))
        {
            return [];
        }

        return [.. File.ReadAllLines(log).Select(line => line.Split(' ', 4)).Where(f => f.Length == 4)
            .Select(f => new NginxRequest(long.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture), f[3]))];
    }

    /// <summary>
    /// Starts nginx serving <paramref name="root"/> (a new temp directory when null, deleted in Dispose). Skips the test
    /// when nginx is not installed (fails it under CI=true).
    /// </summary>
    public static NginxFixture? TryStart(string? root = null)
    {
        if (!Requirements.Tool(NginxPath))
        {
            return null;
        }

        return Start(root);
    }

    private static NginxFixture Start(string? root)
    {
        string stateDir = Directory.CreateTempSubdirectory("distrid-nginx-").FullName;
        string documentRoot = root ?? Path.Combine(stateDir, "www");
        Directory.CreateDirectory(documentRoot);
        Directory.CreateDirectory(Path.Combine(stateDir, "tmp"));

        // A free port can be taken by someone else between probing and nginx's bind: try a few.
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            File.WriteAllText(Path.Combine(stateDir, "nginx.conf"), Config(stateDir, documentRoot, port));
            var process = Process.Start(new ProcessStartInfo(NginxPath)
            {
                ArgumentList = { "-p", stateDir, "-c", Path.Combine(stateDir, "nginx.conf"), "-e", Path.Combine(stateDir, "error.log") },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            if (WaitUntilListening(process, port))
            {
                return new NginxFixture(process, stateDir, documentRoot, port);
            }

            process.WaitForExit();
            string log = File.Exists(Path.Combine(stateDir, "error.log")) ? File.ReadAllText(Path.Combine(stateDir, "error.log")) : "";
            process.Dispose();
            if (attempt == 2 || !log.Contains("Address already in use", StringComparison.Ordinal))
            {
                Directory.Delete(stateDir, recursive: true);
                throw new InvalidOperationException($"nginx did not start: {log}");
            }
        }
    }

    /// <summary>Readiness = a TCP connect succeeds; gives up when nginx exits (bad config, port taken) or after 10 s.</summary>
    private static bool WaitUntilListening(Process process, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                return false;
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                // Not listening yet: wait for the process to exit or a short poll interval, whichever is first.
                process.WaitForExit(TimeSpan.FromMilliseconds(10));
            }
        }

        process.Kill(entireProcessTree: true);
        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Config(string stateDir, string root, int port)
    {
        // As root, nginx's workers would switch to 'nobody', who cannot read 0700 temp directories.
        string user = Environment.UserName == "root" ? "user root root;" : "";
        string tmp = Path.Combine(stateDir, "tmp");
        return $$"""
            {{user}}
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{Path.Combine(stateDir, "nginx.pid")}};
            error_log {{Path.Combine(stateDir, "error.log")}} warn;
            events { worker_connections 512; }
            http {
                default_type application/octet-stream;
                log_format requests '$connection $connection_requests $status $request_uri';
                access_log {{Path.Combine(stateDir, "requests.log")}} requests;
                sendfile on;
                tcp_nopush on;
                etag on;
                keepalive_requests 10000;
                client_body_temp_path {{tmp}}/body;
                proxy_temp_path {{tmp}}/proxy;
                fastcgi_temp_path {{tmp}}/fastcgi;
                uwsgi_temp_path {{tmp}}/uwsgi;
                scgi_temp_path {{tmp}}/scgi;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                    location / { }
                }
            }
            """;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }
}

/// <summary>One request in nginx's log: the connection's serial number, the request's number on it, status, URI.</summary>
public sealed record NginxRequest(long Connection, int OnConnection, int Status, string Uri);
