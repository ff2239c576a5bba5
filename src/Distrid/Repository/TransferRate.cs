using System.Globalization;

namespace Distrid.Repository;

/// <summary>Transfer rates as people read them in one error line: 12 B/s, 1 KiB/s, 3.5 MiB/s.</summary>
internal static class TransferRate
{
    public static string Format(double bytesPerSecond) => bytesPerSecond switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond:0.#} B/s"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / 1024:0.#} KiB/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / (1024 * 1024):0.#} MiB/s"),
    };
}
