using System.CommandLine;
using Distri.Core.Repository;
using Districtl.Commands;

namespace Distrid.Tests.Repository;

/// <summary><c>districtl keygen</c> and <c>districtl repo build</c> through System.CommandLine, as Program.cs will register them.</summary>
public sealed class RepoCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("districtl-repo-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Keygen_then_repo_build_produces_a_verifiable_signed_repository()
    {
        string prefix = Path.Combine(_dir, "mykey");
        var (code, output, error) = Run(KeygenCommand.Create(), prefix);
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("mykey.key", output, StringComparison.Ordinal);

        using (var repo = TestRepository.Create(packages: 2))
        {
            string repoDir = repo.RepoDir;
            File.Delete(Path.Combine(repoDir, "index.json.sig"));
            (code, output, error) = Run(RepoBuildCommand.Create(), "build", repoDir, "--key", prefix + ".key", "--zstd-level", "3");
            Assert.True(code == 0, error);
            Assert.Contains("2 packages", output, StringComparison.Ordinal);

            Directory.CreateDirectory(Path.Combine(_dir, "trusted"));
            File.Copy(prefix + ".pub", Path.Combine(_dir, "trusted", "mykey.pub"));
            using var trusted = TrustedKeys.LoadDirectory(Path.Combine(_dir, "trusted"));
            var index = trusted.VerifyAndParse(File.ReadAllBytes(Path.Combine(repoDir, "index.json")), File.ReadAllBytes(Path.Combine(repoDir, "index.json.sig")));
            Assert.Equal(2, index.Packages.Count);
        }
    }

    [Fact]
    public void Keygen_refuses_to_overwrite_and_says_so_in_one_line()
    {
        string prefix = Path.Combine(_dir, "k");
        Assert.Equal(0, Run(KeygenCommand.Create(), prefix).Code);
        var (code, _, error) = Run(KeygenCommand.Create(), prefix);
        Assert.Equal(1, code);
        Assert.Equal($"districtl keygen: {prefix}.key: already exists, not overwriting a key", error.Trim());
    }

    [Fact]
    public void Repo_build_of_a_directory_without_pkg_fails_clearly()
    {
        var (code, _, error) = Run(RepoBuildCommand.Create(), "build", _dir);
        Assert.Equal(1, code);
        Assert.StartsWith($"districtl repo build: {Path.Combine(_dir, "pkg")}: no such directory", error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = root.Parse([command.Name, .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
