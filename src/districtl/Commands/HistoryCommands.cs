using System.CommandLine;
using System.Globalization;
using Distrid.Protocol;
using Spectre.Console;

namespace Districtl.Commands;

/// <summary><c>history</c> and <c>diff [GEN1] [GEN2]</c>: the journal of transactions and what changed between generations.</summary>
internal static class HistoryCommands
{
    public static IEnumerable<Command> Create()
    {
        var history = new Command("history", "list every transaction: when, who, what, result and duration");
        history.SetDaemonCall((api, _, ct) => api.HistoryAsync(ct), static json => json.IReadOnlyListHistoryEntry, PrintHistory);
        yield return history;

        var from = new Argument<int?>("GEN1") { Description = "the older generation (default: the one current before the last change)", Arity = ArgumentArity.ZeroOrOne };
        var to = new Argument<int?>("GEN2") { Description = "the newer generation (default: the current one)", Arity = ArgumentArity.ZeroOrOne };
        var diff = new Command("diff", "show packages added, removed, upgraded and downgraded between two generations") { from, to };
        diff.SetDaemonCall((api, parse, ct) => api.DiffAsync(parse.GetValue(from), parse.GetValue(to), ct), static json => json.GenerationDiff, PrintDiff);
        yield return diff;
    }

    private static void PrintDiff(GenerationDiff result)
    {
        Console.WriteLine($"generation {result.From} -> {result.To}");
        foreach (string added in result.Added)
        {
            Console.WriteLine($"  added       {added}");
        }

        foreach (string removed in result.Removed)
        {
            Console.WriteLine($"  removed     {removed}");
        }

        foreach (var change in result.Upgraded)
        {
            Console.WriteLine($"  upgraded    {change.From} -> {change.To}");
        }

        foreach (var change in result.Downgraded)
        {
            Console.WriteLine($"  downgraded  {change.From} -> {change.To}");
        }

        if (result.Added.Count + result.Removed.Count + result.Upgraded.Count + result.Downgraded.Count == 0)
        {
            Console.WriteLine("  no package changed");
        }
    }

    private static void PrintHistory(IReadOnlyList<HistoryEntry> entries)
    {
        static string When(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
        static string Who(HistoryEntry e) => e.Via is null ? "?" : e.Uid is uint uid ? $"uid {uid} via {e.Via}" : e.Via;
        static string Generations(HistoryEntry e) => e.Generation is int g ? $"{(e.PreviousGeneration is int p ? p.ToString(CultureInfo.InvariantCulture) : "?")} -> {g}" : "";
        static string Duration(HistoryEntry e) => e.DurationSeconds is double d ? d.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "";
        static string Result(HistoryEntry e) => e.Error is null ? e.Result : $"{e.Result}: {e.Error}";

        if (Console.IsOutputRedirected)
        {
            foreach (var e in entries)
            {
                Console.WriteLine($"{When(e.Started)}\t{Who(e)}\t{e.Description}\t{Result(e)}\t{Generations(e)}\t{Duration(e)}");
            }

            return;
        }

        var table = new Table().AddColumns("when", "who", "what", "result", "generation", "took");
        foreach (var e in entries)
        {
            table.AddRow(When(e.Started), Markup.Escape(Who(e)), Markup.Escape(e.Description), Markup.Escape(Result(e)), Generations(e), Duration(e));
        }

        AnsiConsole.Write(table);
    }
}
