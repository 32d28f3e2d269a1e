using BenchmarkDotNet.Attributes;
using GradientDescent.Benchmarks.Workloads;

namespace GradientDescent.Benchmarks.Suite;

/// <summary>Bandwidth-bound kernels: bias + ReLU (baseline, 8 bytes per element) and SGD (12 bytes per element).</summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private ComputeDevice _device = null!;
    private ElementwiseWorkload _relu = null!;
    private ElementwiseWorkload _sgd = null!;

    /// <summary>Path and (rows, columns).</summary>
    [ParamsSource(nameof(Cases))]
    public BenchCase Case { get; set; } = null!;

    public static IEnumerable<BenchCase> Cases() => BenchCase.Paths.SelectMany(p => new[]
    {
        new BenchCase(p, 8000, 100),
        p.IsEmulated ? new BenchCase(p, 1000, 1000) : new BenchCase(p, 4096, 4096),
    });

    [GlobalSetup]
    public void Setup()
    {
        _device = Case.Path.CreateDevice();
        _relu = new ElementwiseWorkload(_device, "relu", Case.A, Case.B);
        _sgd = new ElementwiseWorkload(_device, "sgd", Case.A, Case.B);
    }

    [Benchmark(Baseline = true)]
    public void BiasRelu()
    {
        _relu.Run();
        _device.Synchronize();
    }

    [Benchmark]
    public void Sgd()
    {
        _sgd.Run();
        _device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _relu.Dispose();
        _sgd.Dispose();
        _device.Dispose();
    }
}
