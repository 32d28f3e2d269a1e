using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace GradientDescent.Tests;

/// <summary>What a run of the random-graph property did.</summary>
/// <param name="Cases">Graphs drawn.</param>
/// <param name="Discarded">Graphs whose every draw of values came too close to a kink (not checked).</param>
/// <param name="WorstRatio">The largest error/tolerance ratio of any checked element: how close the run came to failing.</param>
/// <param name="Elapsed">Wall time.</param>
internal sealed record PropertySummary(int Cases, int Discarded, double WorstRatio, TimeSpan Elapsed);

/// <summary>
/// Runs <see cref="GraphCheck"/> on graphs from <see cref="GraphGen"/> and shrinks a failure the way CsCheck's
/// <c>Sample</c> does, but reproducibly: <c>Sample</c> draws every case after the first from a clock-seeded
/// generator, and CI must check the same graphs every run. Here one PCG, started from the seed, draws every
/// case in turn; each case's own seed is the PCG's state before it (CsCheck's seed string), so it can be
/// replayed alone. A failure is then shrunk as CsCheck shrinks: random graphs are drawn, only those whose
/// CsCheck <see cref="Size"/> is below the smallest failure so far are checked, and each that fails becomes it.
/// </summary>
internal static class GraphProperty
{
    /// <summary>How many graphs to check (default <see cref="DefaultCases"/>).</summary>
    public const string CasesVariable = "GRADIENTDESCENT_PROPERTY_CASES";

    /// <summary>The case seed to start from: a failure's printed seed replays that graph first.</summary>
    public const string SeedVariable = "GRADIENTDESCENT_PROPERTY_SEED";

    /// <summary>The graphs CI checks per device; see docs/testing.md for the time they take.</summary>
    public const int DefaultCases = 150;

    /// <summary>CI's fixed starting seed: the state of <c>new PCG(14, 14)</c> as CsCheck writes it.</summary>
    public static readonly string DefaultSeed = new PCG(14, 14).ToString();

    private const int ShrinkDraws = 20_000;

    public static int Cases => int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
        ? n : DefaultCases;

    public static string Seed => Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } seed ? seed.Trim() : DefaultSeed;

    /// <summary>Checks <paramref name="cases"/> graphs drawn from <paramref name="seed"/>.</summary>
    /// <param name="device">The device under test.</param>
    /// <param name="cases">How many graphs.</param>
    /// <param name="seed">A CsCheck seed string.</param>
    /// <param name="shrinkTries">How many smaller graphs to check after a failure.</param>
    /// <param name="tamper">Changes the library's results before the comparison: for the harness's own negative control.</param>
    /// <exception cref="GraphPropertyException">A graph failed; the message gives the shrunk graph, its seed and the worst element.</exception>
    public static PropertySummary Run(ComputeDevice device, int cases, string seed, int shrinkTries = 200, Func<DeviceResult, DeviceResult>? tamper = null)
    {
        var clock = Stopwatch.StartNew();
        var gen = new GraphGen();
        var pcg = PCG.Parse(seed);
        int discarded = 0;
        double worst = 0;
        for (int i = 0; i < cases; i++)
        {
            ulong state = pcg.State;
            var graph = gen.Generate(pcg, null, out var size);
            var failure = Check(device, graph, tamper, out double? ratio);
            if (failure is not null)
            {
                throw Shrunk(device, gen, new Failing(graph, size, pcg.ToString(state), failure), $"case {i + 1} of {cases} from seed {seed}", shrinkTries, tamper);
            }

            if (Environment.GetEnvironmentVariable("GD_GRAPH_DUMP") is { } dump)
            {
                File.AppendAllText(dump, $"{ratio?.ToString("F4", CultureInfo.InvariantCulture) ?? "discarded"}\t{graph.ToString().Replace('\n', ' ')}\n");
            }

            discarded += ratio is null ? 1 : 0;
            worst = Math.Max(worst, ratio ?? 0);
        }

        return new PropertySummary(cases, discarded, worst, clock.Elapsed);
    }

    private static Exception? Check(ComputeDevice device, Graph graph, Func<DeviceResult, DeviceResult>? tamper, out double? ratio)
    {
        ratio = null;
        try
        {
            ratio = GraphCheck.Run(device, graph, tamper);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Any exception is a failure: a shape-correct graph must run, and the check's own messages say what differed.
            return e;
        }
    }

    private static GraphPropertyException Shrunk(
        ComputeDevice device, GraphGen gen, Failing first, string where, int shrinkTries, Func<DeviceResult, DeviceResult>? tamper)
    {
        var smallest = first;
        int shrinks = 0, tried = 0;
        var pcg = PCG.Parse(first.Seed);
        pcg = new PCG(pcg.Stream, pcg.State ^ 0x5DEECE66DUL);   // a fixed stream of candidates for this failure
        for (int draw = 0; draw < ShrinkDraws && tried < shrinkTries; draw++)
        {
            ulong state = pcg.State;
            var candidate = gen.Generate(pcg, smallest.Size, out var size);
            if (!Size.IsLessThan(size, smallest.Size))
            {
                continue;
            }

            tried++;
            if (Check(device, candidate, tamper, out _) is { } error)
            {
                smallest = new Failing(candidate, size, pcg.ToString(state), error);
                shrinks++;
            }
        }

        string reproduce = $"{SeedVariable}={smallest.Seed} {CasesVariable}=1 dotnet test --project tests/GradientDescent.Tests -c Release "
            + "-- --filter \"FullyQualifiedName~RandomGraph\"";
        string text = $"A random graph failed on {device}: {where}.\n"
            + $"Shrunk ({shrinks} smaller failing graphs in {tried} tried), case seed {smallest.Seed}:\n"
            + $"  {Describe(smallest.Error)}\n  {smallest.Graph}\n"
            + $"First failing graph, case seed {first.Seed}:\n  {Describe(first.Error)}\n  {first.Graph}\n"
            + $"Reproduce: {reproduce}";
        return new GraphPropertyException(text, smallest.Error);
    }

    private static string Describe(Exception e) => e is GraphCheckException ? e.Message : $"threw {e.GetType().Name}: {e.Message}";

    private sealed record Failing(Graph Graph, Size Size, string Seed, Exception Error);
}

/// <summary>A random graph failed the property; the message holds the shrunk graph, its seed and the worst element.</summary>
internal sealed class GraphPropertyException(string message, Exception inner) : Exception(message, inner);
