using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GradientDescent;

public sealed partial class ComputeDevice
{
    /// <summary>
    /// Creates a device: the kind in <paramref name="options"/>, else the one named by the
    /// <c>GRADIENTDESCENT_DEVICE</c> environment variable, else the best present: CUDA, then an OpenCL
    /// GPU, then the CPU (with host SIMD kernels, which beat an OpenCL CPU runtime; ask for <c>opencl</c>
    /// explicitly to use one).
    /// </summary>
    /// <param name="options">Which accelerator to use.</param>
    /// <returns>A device the caller owns and must dispose.</returns>
    /// <exception cref="InvalidOperationException">The requested kind or index is not present; the message lists what is.</exception>
    /// <exception cref="ArgumentException">An environment variable holds an unknown value; the message names the variable.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ComputeDeviceOptions.CpuCores"/> is less than 1.</exception>
    public static ComputeDevice Create(ComputeDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kind = options.Kind;
        var index = options.Index;
        if (kind is null)
        {
            var env = Environment.GetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable);
            if (!string.IsNullOrWhiteSpace(env))
            {
                var parsed = ComputeDeviceOptions.Parse(env, ComputeDeviceOptions.DeviceVariable);
                (kind, index) = (parsed.Kind, parsed.Index);
            }
        }

        var cpuKernels = options.ResolveCpuKernels();
        bool checkNumerics = options.ResolveCheckNumerics();
        int cores = options.CpuCores ?? Environment.ProcessorCount;
        if (cores < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), cores, "ComputeDeviceOptions.CpuCores must be at least 1.");
        }

        if (options.MemoryLimit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MemoryLimit, "ComputeDeviceOptions.MemoryLimit must be at least 1 byte.");
        }

        // Warps of 4 and small groups (16 threads by default), one multiprocessor per core: the emulator
        // makes an OS thread per simulated thread, so fewer threads run faster.
        var cpu = new CPUDevice(4, Math.Max(options.CpuGroupSize / 4, 1), cores);
        var context = Context.Create(builder => builder
            .Cuda()
            .OpenCL()
            .CPU(cpu)
            .EnableAlgorithms()
            .Optimize(OptimizationLevel.O2));
        try
        {
            var chosen = Choose(context, kind, index, out var chosenKind, out var chosenIndex);
            var accelerator = chosen is CPUDevice cpuDevice
                ? cpuDevice.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel)
                : chosen.CreateAccelerator(context);
            return new ComputeDevice(context, accelerator, chosenKind, chosenIndex, cpuKernels, checkNumerics, options.MemoryLimit);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the device named by the <c>GRADIENTDESCENT_DEVICE</c> environment variable, else the best
    /// present: CUDA, then an OpenCL GPU, then the CPU.
    /// </summary>
    /// <returns>A device the caller owns and must dispose.</returns>
    /// <exception cref="InvalidOperationException">The device the variable names is not present; the message lists what is.</exception>
    /// <exception cref="ArgumentException">An environment variable holds an unknown value; the message names the variable.</exception>
    public static ComputeDevice Create() => Create(new ComputeDeviceOptions());

    /// <summary>Creates a device from a specification such as <c>cpu</c>, <c>cuda</c> or <c>opencl:1</c>.</summary>
    /// <param name="specification">The kind, optionally with an index.</param>
    /// <returns>A device the caller owns and must dispose.</returns>
    /// <exception cref="ArgumentException">The specification names no known kind.</exception>
    /// <exception cref="InvalidOperationException">That device is not present; the message lists what is.</exception>
    public static ComputeDevice Create(string specification) =>
        Create(ComputeDeviceOptions.Parse(specification));

    /// <summary>Lists the accelerators present on this machine, as <c>kind:index name</c> lines.</summary>
    /// <returns>One line per device ILGPU can see; OpenCL lines end with <c>(GPU)</c> or <c>(CPU or other)</c>.</returns>
    public static IReadOnlyList<string> ListPresent()
    {
        using var context = Context.Create(b => b.Cuda().OpenCL().CPU(new CPUDevice(4, 4, 1)));
        return Describe(context);
    }

    internal static string KindName(DeviceKind kind) => kind switch
    {
        DeviceKind.Cuda => "cuda",
        DeviceKind.OpenCL => "opencl",
        _ => "cpu",
    };

    private static Device Choose(Context context, DeviceKind? kind, int index, out DeviceKind chosenKind, out int chosenIndex)
    {
        if (kind is null)
        {
            chosenIndex = 0;
            var cuda = Devices(context, DeviceKind.Cuda);
            if (cuda.Count > 0)
            {
                chosenKind = DeviceKind.Cuda;
                return cuda[0];
            }

            // An OpenCL GPU, but not an OpenCL CPU device: on the CPU the host SIMD kernels are far faster
            // (measured with PoCL 6.0 on 2 cores: a batch-64 training step 8.5 ms there against 0.26 ms).
            List<CLDevice> cl = [.. context.GetCLDevices()];
            int gpu = cl.FindIndex(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU);
            if (gpu >= 0)
            {
                chosenKind = DeviceKind.OpenCL;
                chosenIndex = gpu;
                return cl[gpu];
            }

            chosenKind = DeviceKind.Cpu;
            return Devices(context, DeviceKind.Cpu)[0];
        }

        var candidates = Devices(context, kind.Value);
        if (index < 0 || index >= candidates.Count)
        {
            throw new InvalidOperationException(
                $"No {KindName(kind.Value)}:{index} device is present ({candidates.Count} of that kind). Present: "
                + string.Join("; ", Describe(context)) + ".");
        }

        chosenKind = kind.Value;
        chosenIndex = index;
        return candidates[index];
    }

    private static List<string> Describe(Context context)
    {
        var lines = new List<string>();
        foreach (var kind in new[] { DeviceKind.Cuda, DeviceKind.OpenCL, DeviceKind.Cpu })
        {
            var devices = Devices(context, kind);
            for (int i = 0; i < devices.Count; i++)
            {
                string type = devices[i] is CLDevice cl
                    ? (cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU ? " (GPU)" : " (CPU or other)")
                    : string.Empty;
                lines.Add($"{KindName(kind)}:{i} {devices[i].Name}{type}");
            }
        }

        return lines;
    }

    private static List<Device> Devices(Context context, DeviceKind kind) => kind switch
    {
        DeviceKind.Cuda => [.. context.GetCudaDevices()],
        DeviceKind.OpenCL => [.. context.GetCLDevices()],
        _ => [.. context.GetCPUDevices()],
    };
}
