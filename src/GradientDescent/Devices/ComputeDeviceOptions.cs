namespace GradientDescent;

/// <summary>How <see cref="ComputeDevice.Create(ComputeDeviceOptions)"/> picks its accelerator.</summary>
public sealed class ComputeDeviceOptions
{
    /// <summary>The environment variable read when <see cref="Kind"/> is null: <c>cpu</c>, <c>cuda</c>, <c>opencl</c>, optionally with an index (<c>cuda:1</c>).</summary>
    public const string DeviceVariable = "GRADIENTDESCENT_DEVICE";

    /// <summary>The kind to use; null means the environment variable, and then the best present (CUDA, an OpenCL GPU, the CPU).</summary>
    public DeviceKind? Kind { get; init; }

    /// <summary>Which device of <see cref="Kind"/> to use, counting from 0.</summary>
    public int Index { get; init; }

    /// <summary>
    /// Threads the CPU accelerator runs in parallel (one simulated multiprocessor per core);
    /// null means <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public int? CpuCores { get; init; }

    /// <summary>The environment variable read when <see cref="CpuKernels"/> is null: <c>host</c> or <c>emulated</c>.</summary>
    public const string CpuKernelsVariable = "GRADIENTDESCENT_CPU_KERNELS";

    /// <summary>
    /// Which kernels run when the device is the CPU; null means the <c>GRADIENTDESCENT_CPU_KERNELS</c>
    /// environment variable, else <see cref="CpuKernelSet.Host"/>.
    /// </summary>
    public CpuKernelSet? CpuKernels { get; init; }

    /// <summary>The environment variable read when <see cref="CheckNumerics"/> is null: <c>1</c>/<c>true</c> or <c>0</c>/<c>false</c>.</summary>
    public const string CheckNumericsVariable = "GRADIENTDESCENT_CHECK_NUMERICS";

    /// <summary>
    /// Whether the device starts with <see cref="ComputeDevice.CheckNumerics"/> on; null means the
    /// <c>GRADIENTDESCENT_CHECK_NUMERICS</c> environment variable, else off.
    /// </summary>
    public bool? CheckNumerics { get; init; }

    /// <summary>
    /// The most device memory, in bytes, the library may hold on the device at once; null for no limit beyond
    /// the device's own. An allocation past it throws <see cref="DeviceOutOfMemoryException"/> as a full device
    /// would: for sharing a GPU with other programs, and for testing what a program does when memory runs out.
    /// </summary>
    public long? MemoryLimit { get; init; }

    /// <summary>
    /// Largest group the CPU emulator runs (a multiple of 4). Each simulated thread is an OS thread, so
    /// the default is small; tests raise it to run the GPU's 256-thread tiled kernels on the CPU.
    /// </summary>
    internal int CpuGroupSize { get; init; } = 16;

    internal CpuKernelSet ResolveCpuKernels()
    {
        if (CpuKernels is { } set)
        {
            return set;
        }

        var env = Environment.GetEnvironmentVariable(CpuKernelsVariable);
        return env?.Trim().ToUpperInvariant() switch
        {
            null or "" or "HOST" => CpuKernelSet.Host,
            "EMULATED" => CpuKernelSet.Emulated,
            _ => throw new ArgumentException(
                $"Unknown {CpuKernelsVariable} value '{env}': expected host or emulated."),
        };
    }

    internal bool ResolveCheckNumerics()
    {
        if (CheckNumerics is { } on)
        {
            return on;
        }

        var env = Environment.GetEnvironmentVariable(CheckNumericsVariable);
        return env?.Trim().ToUpperInvariant() switch
        {
            null or "" or "0" or "FALSE" => false,
            "1" or "TRUE" => true,
            _ => throw new ArgumentException(
                $"Unknown {CheckNumericsVariable} value '{env}': expected 1, true, 0 or false."),
        };
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>opencl</c>, <c>cuda:1</c> (case-insensitive).</summary>
    /// <param name="text">The specification.</param>
    /// <returns>Options naming that kind and index.</returns>
    /// <exception cref="ArgumentException">The text names no known kind or has a bad index.</exception>
    public static ComputeDeviceOptions Parse(string text) => Parse(text, source: null);

    /// <summary>Parses a specification; messages name <paramref name="source"/> (an environment variable) when given.</summary>
    internal static ComputeDeviceOptions Parse(string text, string? source)
    {
        ArgumentNullException.ThrowIfNull(text);
        string from = source is null ? string.Empty : $" (from the environment variable {source})";
        var parts = text.Trim().Split(':');
        DeviceKind kind = parts[0].ToUpperInvariant() switch
        {
            "CPU" => DeviceKind.Cpu,
            "CUDA" => DeviceKind.Cuda,
            "OPENCL" => DeviceKind.OpenCL,
            _ => throw new ArgumentException(
                $"Unknown device '{text}'{from}: expected cpu, cuda or opencl, optionally with an index such as cuda:1.",
                nameof(text)),
        };
        int index = 0;
        if (parts.Length > 2 || (parts.Length == 2 &&
            (!int.TryParse(parts[1], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out index))))
        {
            throw new ArgumentException(
                $"Bad device index in '{text}'{from}: expected a number after the colon, as in cuda:1.", nameof(text));
        }

        return new ComputeDeviceOptions { Kind = kind, Index = index };
    }
}
