using System.Globalization;
using System.Runtime.Intrinsics.X86;
using ILGPU.Runtime.Cuda;

namespace GradientDescent.Benchmarks.Report;

/// <summary>The hardware limits a measurement is compared with: FP32 FLOP/s and memory bytes/s (0 when unknown).</summary>
public sealed record Peak(double Flops, double BytesPerSecond, string Basis)
{
    /// <summary>Derives the peak of a device from what its driver or the OS reports.</summary>
    public static Peak For(ComputeDevice device) => device.Kind switch
    {
        DeviceKind.Cuda when device.Accelerator is CudaAccelerator cuda => Cuda(cuda),
        DeviceKind.Cpu => Cpu(),
        _ => new Peak(0, 0, "unknown for this device"),
    };

    /// <summary>
    /// cores × clock × FLOP per cycle; with AVX2 + FMA a core retires two 8-lane FMAs per cycle
    /// (32 FLOP), as on the AMD and Intel cores this runs on. The clock is /proc/cpuinfo's.
    /// </summary>
    private static Peak Cpu()
    {
        double mhz = 0;
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
            if (line is not null)
            {
                mhz = double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        int perCycle = Fma.IsSupported && Avx2.IsSupported ? 32 : Avx.IsSupported ? 16 : 8;
        int cores = Environment.ProcessorCount;
        double bandwidth = MeasuredBandwidth(cores);
        return new Peak(cores * mhz * 1e6 * perCycle, bandwidth,
            string.Create(CultureInfo.InvariantCulture,
                $"{cores} cores × {mhz / 1000:0.###} GHz × {perCycle} FLOP/cycle; memory: a STREAM-style add of 3 × 64 MiB on {cores} threads, best of 5, measured now"));
    }

    /// <summary>
    /// The memory bandwidth the cores reach on y = a + b over arrays far larger than the caches (what a
    /// memory-bound kernel can hope for): the OS reports no bandwidth, so it is measured, best of five.
    /// </summary>
    private static double MeasuredBandwidth(int cores)
    {
        const int n = 16 << 20;
        var a = new float[n];
        var b = new float[n];
        var y = new float[n];
        Array.Fill(a, 1f);
        Array.Fill(b, 2f);
        double best = double.MaxValue;
        for (int round = 0; round < 6; round++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, c =>
            {
                int from = (int)((long)n * c / cores), to = (int)((long)n * (c + 1) / cores);
                System.Numerics.Tensors.TensorPrimitives.Add(a.AsSpan(from, to - from), b.AsSpan(from, to - from), y.AsSpan(from, to - from));
            });
            // The first round pages the output in: not counted.
            if (round > 0)
            {
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
        }

        return 12.0 * n / best;
    }

    /// <summary>SMs × FP32 lanes per SM × 2 × clock; bandwidth 2 × memory clock × bus width (DDR).</summary>
    private static Peak Cuda(CudaAccelerator cuda)
    {
        var arch = cuda.Architecture;
        int major = arch.Major;
        int minor = arch.Minor;
        // FP32 lanes per SM: 64 on sm_60/70/75/80, 128 on sm_61 and sm_86 onwards (Ampere GA10x, Ada, Hopper).
        int lanes = (major, minor) switch
        {
            (>= 9, _) => 128,
            (8, >= 6) => 128,
            (6, 1) => 128,
            _ => 64,
        };
        double clock = cuda.ClockRate * 1e3;
        double flops = cuda.NumMultiprocessors * lanes * 2.0 * clock;
        double bandwidth = 2.0 * cuda.MemoryClockRate * 1e3 * cuda.MemoryBusWidth / 8.0;
        return new Peak(flops, bandwidth, string.Create(CultureInfo.InvariantCulture,
            $"sm_{major}{minor}: {cuda.NumMultiprocessors} SMs × {lanes} lanes × 2 × {clock / 1e9:0.###} GHz; {cuda.MemoryBusWidth}-bit bus × 2 × {cuda.MemoryClockRate / 1e6:0.###} GHz"));
    }
}
