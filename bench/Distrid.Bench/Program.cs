using Distrid.Bench.Fuzz;

return args.FirstOrDefault() switch
{
    "fuzz" => FuzzCommand.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Distrid.Bench <benchmark>\n  fuzz [--count N] [--seed N] [--timeout-ms N] [--workers N]   mutated SquashFS images through the reader");
    return 2;
}
