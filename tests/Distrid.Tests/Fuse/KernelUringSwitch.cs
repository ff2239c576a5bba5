namespace Distrid.Tests.Fuse;

/// <summary>
/// Sets the fuse module's enable_uring parameter for the duration of a test and puts the previous value back.
/// Tests in this process that want different values take turns (one lock); a connection negotiates io_uring only
/// at INIT, so mounts made by other tests meanwhile keep whatever transport they started with.
/// </summary>
internal sealed class KernelUringSwitch : IDisposable
{
    public const string ParameterPath = "/sys/module/fuse/parameters/enable_uring";

    private static readonly SemaphoreSlim Turn = new(1, 1);
    private readonly string _previous;

    private KernelUringSwitch(string previous) => _previous = previous;

    public static async Task<KernelUringSwitch> SetAsync(bool enabled)
    {
        await Turn.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            string previous = (await File.ReadAllTextAsync(ParameterPath)).Trim();
            await File.WriteAllTextAsync(ParameterPath, enabled ? "Y" : "N");
            return new KernelUringSwitch(previous);
        }
        catch
        {
            Turn.Release();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            File.WriteAllText(ParameterPath, _previous);
        }
        finally
        {
            Turn.Release();
        }
    }
}
