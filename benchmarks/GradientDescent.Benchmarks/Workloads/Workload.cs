namespace GradientDescent.Benchmarks.Workloads;

/// <summary>
/// One measurable unit of work on a device, with its buffers preallocated so that <see cref="Run"/>
/// launches kernels and nothing else. Shared by the BenchmarkDotNet suite and the report mode.
/// </summary>
public abstract class Workload : IDisposable
{
    protected Workload(ComputeDevice device) => Device = device;

    /// <summary>The device the workload runs on.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The operation's name, e.g. <c>matmul A·B</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The shape in words, e.g. <c>8000×784×100</c>.</summary>
    public abstract string Shape { get; }

    /// <summary>Floating-point operations per run (0 when the workload is bandwidth-bound).</summary>
    public abstract double Flops { get; }

    /// <summary>Bytes that must move to or from memory per run, at the least.</summary>
    public abstract double Bytes { get; }

    /// <summary>Runs once; the caller synchronises.</summary>
    public abstract void Run();

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the workload's tensors.</summary>
    protected abstract void Dispose(bool disposing);

    /// <summary>A seeded uniform [−1, 1) tensor.</summary>
    protected Tensor Random(params int[] shape)
    {
        var random = new Random(shape.Aggregate(17, (h, d) => (h * 31) + d));
        var values = new float[shape.Aggregate(1, (p, d) => p * d)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (random.NextSingle() * 2) - 1;
        }

        return Tensor.FromArray(Device, values, shape);
    }
}
