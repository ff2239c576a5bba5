namespace Distrid.Tests.AppStream;

/// <summary>
/// Finds a GNOME "suggested action" button (libadwaita's accent blue, #3584e4, as GNOME Software draws its Install
/// button) on a screenshot: a block of consecutive rows, each with at least 40 accent pixels starting at about the same
/// column, of button height; its label (white text) may split a row, so rows are measured by their first and last
/// accent pixel.
/// </summary>
public static class ButtonFinder
{
    private static readonly (int R, int G, int B) Accent = (0x35, 0x84, 0xe4);

    public static (int X, int Y)? FindAccentButton(byte[] rgb, int width, int height)
    {
        var rows = new (int Count, int First, int Last)[height];
        for (int y = 0; y < height; y++)
        {
            int count = 0, first = -1, last = -1;
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 3;
                if (Math.Abs(rgb[i] - Accent.R) < 16 && Math.Abs(rgb[i + 1] - Accent.G) < 16 && Math.Abs(rgb[i + 2] - Accent.B) < 16)
                {
                    count++;
                    first = first < 0 ? x : first;
                    last = x;
                }
            }

            rows[y] = (count, first, last);
        }

        (int Top, int Rows, int First, int Last) found = default;
        for (int y = 0; y < height; y++)
        {
            int block = 0;
            while (y + block < height && rows[y + block].Count >= 40 && Math.Abs(rows[y + block].First - rows[y].First) < 8)
            {
                block++;
            }

            int span = rows[y].Last - rows[y].First;
            if (block is >= 16 and <= 80 && span is >= 40 and <= 400 && block > found.Rows)
            {
                found = (y, block, rows[y].First, rows[y].Last);
            }

            y += block;
        }

        return found.Rows == 0 ? null : ((found.First + found.Last) / 2, found.Top + (found.Rows / 2));
    }
}
