using System.Text.Json;
using Distrid.Protocol;

namespace Districtl.Client;

/// <summary>
/// <see cref="IDistridApi"/> over a <see cref="JsonRpcClient"/>: each method is its wire name plus its params,
/// named exactly as the contract's parameters (the daemon binds by name). A null optional is left out, so the
/// daemon applies the contract's default.
/// </summary>
internal sealed partial class DaemonApi(JsonRpcClient rpc) : IDistridApi
{
    private static ProtocolJsonContext Json => ProtocolJsonContext.Default;

    public Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Status, null, Json.StatusResult, null, cancellationToken);

    public Task<IReadOnlyList<PackageInfo>> ListAsync(bool available = false, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.List, w => w.WriteBoolean("available"u8, available), Json.IReadOnlyListPackageInfo, null, cancellationToken);

    public Task<IReadOnlyList<PackageInfo>> SearchAsync(string term, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Search, w => w.WriteString("term"u8, term), Json.IReadOnlyListPackageInfo, null, cancellationToken);

    public Task<PackageInfo> InfoAsync(string package, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Info, w => w.WriteString("package"u8, package), Json.PackageInfo, null, cancellationToken);

    public Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Generations, null, Json.IReadOnlyListGenerationInfo, null, cancellationToken);

    public Task<TransactionResult> InstallAsync(IReadOnlyList<string> packages, bool dryRun = false, bool downloadOnly = false, bool detached = false, bool reinstall = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Mutate(MethodNames.Install, w =>
        {
            WritePackages(w, packages);
            WriteFlag(w, "downloadOnly"u8, downloadOnly);
            WriteFlag(w, "detached"u8, detached);
            WriteFlag(w, "reinstall"u8, reinstall);
        }, dryRun, progress, cancellationToken);

    public Task<PackageFiles> FilesAsync(string package, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Files, w => w.WriteString("package"u8, package), Json.PackageFiles, null, cancellationToken);

    public Task<OwnerInfo> OwnsAsync(string path, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Owns, w => w.WriteString("path"u8, path), Json.OwnerInfo, null, cancellationToken);

    public Task<WhyResult> WhyAsync(string package, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Why, w => w.WriteString("package"u8, package), Json.WhyResult, null, cancellationToken);

    public Task<IReadOnlyList<HistoryEntry>> HistoryAsync(CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.History, null, Json.IReadOnlyListHistoryEntry, null, cancellationToken);

    public Task<GenerationDiff> DiffAsync(int? from = null, int? to = null, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Diff, from is null && to is null ? null : w =>
        {
            if (from is int f)
            {
                w.WriteNumber("from"u8, f);
            }

            if (to is int t)
            {
                w.WriteNumber("to"u8, t);
            }
        }, Json.GenerationDiff, null, cancellationToken);

    public Task<IReadOnlyList<VerifyInfo>> VerifyAsync(IReadOnlyList<string>? packages = null, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Verify, packages is null ? null : w => WritePackages(w, packages), Json.IReadOnlyListVerifyInfo, null, cancellationToken);

    public Task<bool> RunEndAsync(string view, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.RunEnd, w => w.WriteString("view"u8, view), Json.Boolean, null, cancellationToken);

    public Task<RunView> RunAsync(IReadOnlyList<string>? with = null, CancellationToken cancellationToken = default) =>
        rpc.InvokeAsync(MethodNames.Run, with is null ? null : w => WriteStrings(w, "with"u8, with), Json.RunView, null, cancellationToken);

    public Task<TransactionResult> RemoveAsync(IReadOnlyList<string> packages, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Mutate(MethodNames.Remove, w => WritePackages(w, packages), dryRun, progress, cancellationToken);

    public Task<TransactionResult> UpdateAsync(bool dryRun = false, bool downloadOnly = false, bool detached = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Mutate(MethodNames.Update, w =>
        {
            WriteFlag(w, "downloadOnly"u8, downloadOnly);
            WriteFlag(w, "detached"u8, detached);
        }, dryRun, progress, cancellationToken);

    public Task<TransactionResult> RollbackAsync(int? generation = null, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Mutate(MethodNames.Rollback, generation is int g ? w => w.WriteNumber("generation"u8, g) : null, dryRun, progress, cancellationToken);

    public Task<TransactionResult> GcAsync(int keep = ProtocolDefaults.GcKeep, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Mutate(MethodNames.Gc, w => w.WriteNumber("keep"u8, keep), dryRun, progress, cancellationToken);

    public Task<TransactionResult> PinAsync(string name, string fullName, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Mutate(MethodNames.Pin, w =>
        {
            w.WriteString("name"u8, name);
            w.WriteString("fullName"u8, fullName);
        }, dryRun, progress, cancellationToken);

    public Task<TransactionResult> UnpinAsync(string name, bool dryRun = false, IProgress<ProgressInfo>? progress = null, CancellationToken cancellationToken = default) =>
        Mutate(MethodNames.Unpin, w => w.WriteString("name"u8, name), dryRun, progress, cancellationToken);

    private Task<TransactionResult> Mutate(
        string method, Action<Utf8JsonWriter>? writeParams, bool dryRun, IProgress<ProgressInfo>? progress, CancellationToken cancellationToken)
    {
        var route = progress is null ? null : new ProgressRoute("progress", value =>
        {
            if (JsonSerializer.Deserialize(value, Json.ProgressInfo) is { } info)
            {
                progress.Report(info);
            }
        });
        return rpc.InvokeAsync(method, w =>
        {
            writeParams?.Invoke(w);
            w.WriteBoolean("dryRun"u8, dryRun);
        }, Json.TransactionResult, route, cancellationToken);
    }

    /// <summary>An optional flag is sent only when set, so that a daemon that predates it still accepts the call.</summary>
    private static void WriteFlag(Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool value)
    {
        if (value)
        {
            writer.WriteBoolean(name, true);
        }
    }

    private static void WritePackages(Utf8JsonWriter writer, IReadOnlyList<string> packages) => WriteStrings(writer, "packages"u8, packages);

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
