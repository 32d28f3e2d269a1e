namespace GradientDescent.Benchmarks.Workloads;

/// <summary>
/// A way to run the kernels: the host SIMD CPU path, the emulated ILGPU kernels on the CPU, CUDA or
/// OpenCL. Benchmarks and the report create one device per path.
/// </summary>
public sealed record BenchmarkPath(string Name, ComputeDeviceOptions Options)
{
    /// <summary>The host SIMD kernels on the CPU.</summary>
    public static BenchmarkPath Host { get; } = new("host", new() { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Host });

    /// <summary>The ILGPU kernels run by the CPU emulator.</summary>
    public static BenchmarkPath Emulated { get; } = new("emulated", new() { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Emulated });

    /// <summary>The first CUDA device.</summary>
    public static BenchmarkPath Cuda { get; } = new("cuda", new() { Kind = DeviceKind.Cuda });

    /// <summary>The first OpenCL device.</summary>
    public static BenchmarkPath OpenCL { get; } = new("opencl", new() { Kind = DeviceKind.OpenCL });

    /// <summary>Whether this path is a GPU-style ILGPU path (launch-bound; sizes may be large).</summary>
    public bool IsEmulated => ReferenceEquals(this, Emulated);

    /// <summary>Every path present on this machine, the host path first.</summary>
    public static IReadOnlyList<BenchmarkPath> Present()
    {
        var present = ComputeDevice.ListPresent();
        var paths = new List<BenchmarkPath> { Host, Emulated };
        if (present.Any(p => p.StartsWith("cuda:", StringComparison.Ordinal)))
        {
            paths.Add(Cuda);
        }

        if (present.Any(p => p.StartsWith("opencl:", StringComparison.Ordinal)))
        {
            paths.Add(OpenCL);
        }

        return paths;
    }

    /// <summary>Paths named on the command line (host, emulated, cuda, opencl), or all present.</summary>
    public static IReadOnlyList<BenchmarkPath> Parse(string? names)
    {
        if (string.IsNullOrWhiteSpace(names))
        {
            return Present();
        }

        return [.. names.Split(',').Select(n => n.Trim().ToUpperInvariant() switch
        {
            "HOST" or "CPU" => Host,
            "EMULATED" => Emulated,
            "CUDA" => Cuda,
            "OPENCL" => OpenCL,
            _ => throw new ArgumentException($"Unknown path '{n}': expected host, emulated, cuda or opencl."),
        })];
    }

    /// <summary>Creates the device for this path; the caller disposes it.</summary>
    public ComputeDevice CreateDevice() => ComputeDevice.Create(Options);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
