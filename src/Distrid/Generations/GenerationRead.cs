namespace Distrid.Generations;

/// <summary>What reading a generation file found. "Absent" (no such file: a first start) and "unreadable" (a file
/// that is there but cannot be trusted) are different: only the first may lead to adopting the store's images.</summary>
public enum GenerationReadState
{
    Absent,
    Present,
    Unreadable,
}

/// <summary>The result of reading one generation file: the generation when <see cref="GenerationReadState.Present"/>,
/// else why not (<see cref="Problem"/>, one line).</summary>
public readonly record struct GenerationRead(GenerationReadState State, string Path, Generation? Generation, string? Problem)
{
    public static GenerationRead Absent(string path) => new(GenerationReadState.Absent, path, null, null);

    public static GenerationRead Present(string path, Generation generation) => new(GenerationReadState.Present, path, generation, null);

    public static GenerationRead Unreadable(string path, string problem) =>
        new(GenerationReadState.Unreadable, path, null, problem.ReplaceLineEndings(" "));
}
