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
        return new Peak(cores * mhz * 1e6 * perCycle, 0,
            string.Create(CultureInfo.InvariantCulture, $"{cores} cores × {mhz / 1000:0.###} GHz × {perCycle} FLOP/cycle"));
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
