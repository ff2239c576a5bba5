using Spectre.Console;
using Spectre.Console.Rendering;

namespace Districtl.Output;

/// <summary>The speed of a bar's transfer, from the <see cref="RateWindow"/> kept in the task's Tag.</summary>
internal sealed class WindowedSpeedColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        task.IsFinished || task.Tag is not RateWindow { BytesPerSecond: double rate }
            ? new Text("")
            : new Text(Units.Rate(rate), new Style(Color.Aqua));

    public override int? GetColumnWidth(RenderOptions options) => 12;
}

/// <summary>Time left at the windowed speed: what is left of the bar over its <see cref="RateWindow"/>'s rate.</summary>
internal sealed class WindowedTimeLeftColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        if (task.IsFinished)
        {
            return new Text("done", new Style(Color.Green));
        }

        if (task.Tag is not RateWindow { BytesPerSecond: double rate } || rate <= 0)
        {
            return new Text("-:--:--", new Style(Color.Grey));
        }

        var left = TimeSpan.FromSeconds(Math.Min((task.MaxValue - task.Value) / rate, 99 * 3600));
        return new Text($"{(int)left.TotalHours}:{left.Minutes:00}:{left.Seconds:00} left", new Style(Color.Blue));
    }

    public override int? GetColumnWidth(RenderOptions options) => 13;
}
