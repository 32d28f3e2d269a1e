using BenchmarkDotNet.Attributes;
using GradientDescent.Benchmarks.Workloads;

namespace GradientDescent.Benchmarks.Suite;

/// <summary>The three products of a training step; A·B is the baseline the transposed variants are compared with.</summary>
[MemoryDiagnoser]
public class MatMulBenchmarks
{
    private ComputeDevice _device = null!;
    private MatMulWorkload _ab = null!;
    private MatMulWorkload _atb = null!;
    private MatMulWorkload _abt = null!;

    /// <summary>Path and (m, k, n).</summary>
    [ParamsSource(nameof(Cases))]
    public BenchCase Case { get; set; } = null!;

    public static IEnumerable<BenchCase> Cases() =>
        BenchCase.Paths.SelectMany(p => Catalogue.MatMulShapes(p, quick: false).Select(s => new BenchCase(p, s.M, s.K, s.N)));

    [GlobalSetup]
    public void Setup()
    {
        _device = Case.Path.CreateDevice();
        _ab = new MatMulWorkload(_device, Case.A, Case.B, Case.C, "AB");
        _atb = new MatMulWorkload(_device, Case.A, Case.B, Case.C, "AtB");
        _abt = new MatMulWorkload(_device, Case.A, Case.B, Case.C, "ABt");
    }

    [Benchmark(Baseline = true)]
    public void AB()
    {
        _ab.Run();
        _device.Synchronize();
    }

    [Benchmark]
    public void AtB()
    {
        _atb.Run();
        _device.Synchronize();
    }

    [Benchmark]
    public void ABt()
    {
        _abt.Run();
        _device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ab.Dispose();
        _atb.Dispose();
        _abt.Dispose();
        _device.Dispose();
    }
}
