using GradientDescent.Benchmarks.Workloads;

namespace GradientDescent.Benchmarks.Suite;

/// <summary>A path and a shape: one BenchmarkDotNet parameter value, so each path gets only the shapes it can run.</summary>
public sealed record BenchCase(BenchmarkPath Path, int A, int B = 0, int C = 0)
{
    /// <summary>
    /// The paths to benchmark: all present, or those in GRADIENTDESCENT_BENCH_PATHS (e.g. <c>host,cuda</c>),
    /// read in the benchmark process as well as the host process, so both agree.
    /// </summary>
    public static IReadOnlyList<BenchmarkPath> Paths =>
        BenchmarkPath.Parse(Environment.GetEnvironmentVariable("GRADIENTDESCENT_BENCH_PATHS"));

    /// <inheritdoc/>
    public override string ToString() => C > 0 ? $"{Path} {A}x{B}x{C}" : B > 0 ? $"{Path} {A}x{B}" : $"{Path} {A}";
}
