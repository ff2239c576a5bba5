using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Distri.Core.Repository;
using Distrid.Tests.Support;

namespace Distrid.Tests.Admin;

/// <summary>
/// Two signed mirrors on two nginx servers and a daemon whose repositories come from its config file (not --repo, which
/// would fix them): repository A (the admin-verb packages, its key trusted) is configured; repository B (<c>bee</c> and
/// <c>wasp</c>, signed by a key the daemon does not trust yet) is what the tests add, disable, enable and remove.
/// </summary>
internal sealed class RepoSystem : IAsyncDisposable
{
    private RepoSystem(MirroredSystem system, TestMirror second, DaemonProcess daemon)
    {
        System = system;
        B = second;
        Daemon = daemon;
    }

    public MirroredSystem System { get; }

    public TestMirror A => System.Mirror;

    public TestMirror B { get; }

    public DaemonProcess Daemon { get; }

    public string UrlA => A.Url.AbsoluteUri;

    public string UrlB => B.Url.AbsoluteUri;

    public string KeyB => B.KeyPrefix + RepositoryKey.PublicKeyExtension;

    public string KeyA => A.KeyPrefix + RepositoryKey.PublicKeyExtension;

    /// <summary>The config file the daemon reads, with a comment and another setting that a change must keep.</summary>
    public static string Config(string trustedKeys, string repo) => $$"""
        {
          // written by the test: repositories come from here
          "trustedKeys": "{{trustedKeys}}",
          "downloadParallelism": 3,
          "repos": ["{{repo}}"]
        }
        """;

    /// <summary>Null (outside CI) when root, FUSE or nginx is missing.</summary>
    public static async Task<RepoSystem?> StartAsync(IReadOnlyDictionary<string, string>? environment = null, string? dbus = null)
    {
        var system = AdminSystem.Create();
        if (system is null)
        {
            return null;
        }

        var second = TestMirror.TryStart(Path.Combine(system.Paths.Root, "..", "b", "www"))!;
        second.Add("bee-amd64-1-1", new Dictionary<string, string> { ["bin/bee"] = PackageFactory.Script("bee 1") });
        second.Add("wasp-amd64-1-1", new Dictionary<string, string> { ["bin/wasp"] = PackageFactory.Script("wasp 1") });
        second.Publish();
        await File.WriteAllTextAsync(system.Paths.Config, Config(system.Mirror.TrustedKeys, system.Mirror.Url.AbsoluteUri));
        if (dbus is not null)
        {
            system.Paths.DBus = dbus;
        }

        var daemon = await DaemonProcess.StartAsync(system.Paths, environment ?? new Dictionary<string, string>());
        await daemon.WaitForLogAsync("mirror index: 5 packages");
        return new RepoSystem(system, second, daemon);
    }

    public Task<Cli.Result> CliAsync(params string[] args) => System.CliAsync(args);

    public Task<Cli.Result> RunAsync(params string[] args) => System.RunAsync(args);

    public Task<System.Text.Json.JsonElement> JsonAsync(params string[] args) => System.JsonAsync(args);

    public Task<string> FailsAsync(params string[] args) => System.FailsAsync(args);

    public static string FingerprintOf(string publicKeyFile)
    {
        using var key = RepositoryKey.LoadPublic(publicKeyFile);
        return key.Fingerprint;
    }

    /// <summary>
    /// What a refused change must leave alone: the config file's bytes, the trusted keys and every cached index file
    /// (names and sha256), as one comparable text.
    /// </summary>
    public string Snapshot()
    {
        var text = new StringBuilder();
        text.AppendLine(File.ReadAllText(System.Paths.Config));
        foreach (string directory in new[] { A.TrustedKeys, Path.Combine(System.Paths.State, "repositories") })
        {
            if (!Directory.Exists(directory))
            {
                text.AppendLine($"{directory}: absent");
                continue;
            }

            foreach (string file in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string hash = File.Exists(file) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))) : "dir";
                text.AppendLine($"{file} {hash}");
            }
        }

        return text.ToString();
    }

    /// <summary>A 127.0.0.1 port nobody listens on: bound by the kernel's choice, then released.</summary>
    public static int DeadPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        B.Dispose();
        await System.DisposeAsync();
    }
}
