using BenchmarkDotNet.Attributes;
using GradientDescent.Benchmarks.Workloads;

namespace GradientDescent.Benchmarks.Suite;

/// <summary>A whole 784 → 100 → 10 training step: the fused, preallocated TrainStep (baseline) against the tape path.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private ComputeDevice _device = null!;
    private TrainingStepWorkload _fused = null!;
    private TrainingStepWorkload _tape = null!;

    /// <summary>Path and batch size.</summary>
    [ParamsSource(nameof(Cases))]
    public BenchCase Case { get; set; } = null!;

    public static IEnumerable<BenchCase> Cases() =>
        BenchCase.Paths.SelectMany(p => Catalogue.Batches(p, quick: false).Select(b => new BenchCase(p, b)));

    [GlobalSetup]
    public void Setup()
    {
        _device = Case.Path.CreateDevice();
        _fused = new TrainingStepWorkload(_device, Case.A);
        _tape = new TrainingStepWorkload(_device, Case.A, useTape: true);
    }

    [Benchmark(Baseline = true)]
    public void TrainStep()
    {
        _fused.Run();
        _device.Synchronize();
    }

    [Benchmark]
    public void TapeStep()
    {
        _tape.Run();
        _device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fused.Dispose();
        _tape.Dispose();
        _device.Dispose();
    }
}
