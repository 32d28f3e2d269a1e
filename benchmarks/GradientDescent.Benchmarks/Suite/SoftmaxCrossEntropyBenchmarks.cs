using BenchmarkDotNet.Attributes;
using GradientDescent.Benchmarks.Workloads;

namespace GradientDescent.Benchmarks.Suite;

/// <summary>
/// Fused softmax cross-entropy (loss and dlogits in one kernel) against the baseline of the same work
/// done unfused, as separate log-softmax and gradient kernels would do it.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxCrossEntropyBenchmarks
{
    private ComputeDevice _device = null!;
    private SoftmaxCrossEntropyWorkload _fused = null!;
    private Tensor _logits = null!;
    private Tensor _logProbabilities = null!;
    private Tensor _gradient = null!;

    /// <summary>Path and (rows, classes).</summary>
    [ParamsSource(nameof(Cases))]
    public BenchCase Case { get; set; } = null!;

    public static IEnumerable<BenchCase> Cases() =>
        BenchCase.Paths.SelectMany(p => Catalogue.SoftmaxShapes(p, quick: false).Select(s => new BenchCase(p, s.Rows, s.Classes)));

    [GlobalSetup]
    public void Setup()
    {
        _device = Case.Path.CreateDevice();
        _fused = new SoftmaxCrossEntropyWorkload(_device, Case.A, Case.B);
        _logits = Tensor.Constant(_device, 0.5f, Case.A, Case.B);
        _logProbabilities = Tensor.Zeros(_device, Case.A, Case.B);
        _gradient = Tensor.Zeros(_device, Case.A, Case.B);
    }

    /// <summary>Log-softmax forward, then its backward: two row passes, the unfused minimum.</summary>
    [Benchmark(Baseline = true)]
    public void Unfused()
    {
        SoftmaxKernels.LogSoftmax(_logits, _logProbabilities);
        SoftmaxKernels.LogSoftmaxBackward(_logits, _logProbabilities, _gradient);
        _device.Synchronize();
    }

    [Benchmark]
    public void Fused()
    {
        _fused.Run();
        _device.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fused.Dispose();
        _logits.Dispose();
        _logProbabilities.Dispose();
        _gradient.Dispose();
        _device.Dispose();
    }
}
