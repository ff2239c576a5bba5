namespace Distri.Core.Tests.SquashFs.Reading;

internal static class ImageAssertions
{
    /// <summary>True when the fixture can run; otherwise the test is skipped (failed under CI).</summary>
    public static bool Ready(MksquashfsImages images) =>
        Requirements.RootWith("mksquashfs", "unsquashfs") && images.Available;
}
