using Distri.Core.Tests.Support;
using Xunit.Abstractions;

namespace Distri.Core.Tests.SquashFs.Reading;

internal static class ImageAssertions
{
    /// <summary>True when the fixture can run; under CI a missing requirement is a failure.</summary>
    public static bool Ready(MksquashfsImages images, ITestOutputHelper output) =>
        TestEnvironment.Require(output, needsRoot: true, "mksquashfs", "unsquashfs") && images.Available;
}
