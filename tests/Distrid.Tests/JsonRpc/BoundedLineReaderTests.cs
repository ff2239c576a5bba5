using System.IO.Pipelines;
using System.Text;
using Distrid.Api.JsonRpc;

namespace Distrid.Tests.JsonRpc;

/// <summary>The socket's framing on an in-memory pipe: lines however the bytes are split, the cap, the deadline of a begun line.</summary>
public sealed class BoundedLineReaderTests
{
    [Fact]
    public async Task Lines_come_out_whole_however_the_bytes_are_split()
    {
        var pipe = new Pipe();
        using var reader = new BoundedLineReader(pipe.Reader.AsStream(), 64, TimeSpan.FromMinutes(1));
        var lines = new List<string>();

        foreach (string piece in new[] { "{\"a\"", ":1}\n{\"b\":2}\r\n\n{\"c\"", ":3}\n" })
        {
            await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(piece));
        }

        pipe.Writer.Complete();
        while (true)
        {
            var (status, line) = await reader.ReadLineAsync(CancellationToken.None);
            if (status == LineStatus.End)
            {
                break;
            }

            Assert.Equal(LineStatus.Line, status);
            lines.Add(Encoding.UTF8.GetString(line));
            reader.Release();
        }

        Assert.Equal(["{\"a\":1}", "{\"b\":2}", "", "{\"c\":3}"], lines);
    }

    [Fact]
    public async Task A_line_longer_than_the_cap_is_refused_without_waiting_for_its_end()
    {
        var pipe = new Pipe();
        using var reader = new BoundedLineReader(pipe.Reader.AsStream(), 1000, TimeSpan.FromMinutes(1));

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("{\"ok\":1}\n" + new string('x', 1001)));
        var (first, _) = await reader.ReadLineAsync(CancellationToken.None);
        reader.Release();
        var (second, _) = await reader.ReadLineAsync(CancellationToken.None);

        Assert.Equal(LineStatus.Line, first);
        Assert.Equal(LineStatus.TooLong, second);
    }

    [Fact]
    public async Task A_line_of_exactly_the_cap_is_accepted()
    {
        var pipe = new Pipe();
        using var reader = new BoundedLineReader(pipe.Reader.AsStream(), 1000, TimeSpan.FromMinutes(1));

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(new string('x', 1000) + "\n"));
        var (status, line) = await reader.ReadLineAsync(CancellationToken.None);

        Assert.Equal(LineStatus.Line, status);
        Assert.Equal(1000, line.Length);
    }

    [Fact]
    public async Task A_begun_line_that_does_not_end_in_time_times_out()
    {
        var pipe = new Pipe();
        using var reader = new BoundedLineReader(pipe.Reader.AsStream(), 1000, TimeSpan.FromMilliseconds(200));

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("{\"jsonrpc\":"));
        var (status, _) = await reader.ReadLineAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(LineStatus.TimedOut, status);
    }

    [Fact]
    public async Task The_deadline_counts_from_the_first_byte_so_trickling_does_not_extend_it()
    {
        var pipe = new Pipe();
        using var reader = new BoundedLineReader(pipe.Reader.AsStream(), 1000, TimeSpan.FromMilliseconds(300));
        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await pipe.Writer.WriteAsync("x"u8.ToArray());
                await Task.Delay(50);
            }
        });

        var (status, _) = await reader.ReadLineAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await trickle;

        Assert.Equal(LineStatus.TimedOut, status);
    }
}
