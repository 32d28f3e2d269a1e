using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GradientDescent;

/// <summary>
/// One ILGPU accelerator (CUDA, OpenCL or the CPU emulator) with everything that lives on it: the
/// context, the compiled kernels (each compiled once, on first use) and every tensor allocated on it.
/// </summary>
/// <remarks>
/// <para>
/// Disposing the device frees every tensor still alive on it; those tensors then throw
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// Threads: a device may be shared by several threads. Every call into the accelerator (allocation,
/// copy, kernel launch, free) holds the device's lock, so calls from two threads are serialised and
/// never interleave inside ILGPU, whose accelerators are not thread-safe. The objects built on a
/// device — a <see cref="Tensor"/> being written, a <see cref="TwoLayerNet"/>, a
/// <see cref="GradientTape"/> — are not synchronised: use each from one thread at a time (a tape
/// throws when used from another thread).
/// </para>
/// </remarks>
public sealed partial class ComputeDevice : IDisposable
{
    private readonly Context _context;
    private readonly ConcurrentDictionary<MethodInfo, object> _kernels = new();
    private readonly HashSet<TensorStorage> _live = [];
    private readonly Lock _gate = new();
    private long _allocatedBytes;
    private long _kernelLaunches;
    private bool _disposed;

    private ComputeDevice(
        Context context, Accelerator accelerator, DeviceKind kind, int index, CpuKernelSet cpuKernels, bool checkNumerics)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Index = index;
        CpuKernels = kind == DeviceKind.Cpu ? cpuKernels : null;
        CheckNumerics = checkNumerics;
    }

    /// <summary>The kind of accelerator.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The index of this device among the present devices of its kind.</summary>
    public int Index { get; }

    /// <summary>On the CPU, which kernels run (host SIMD or the emulated ILGPU kernels); null on a GPU.</summary>
    public CpuKernelSet? CpuKernels { get; }

    /// <summary>The accelerator's name as its driver reports it.</summary>
    public string Name => Accelerator.Name;

    /// <summary>The accelerator's memory in bytes (for the CPU, the memory available to this process).</summary>
    public long MemorySize => IsCpu ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : Accelerator.MemorySize;

    /// <summary>Bytes of device memory the library holds on this device: tensors, labels and internal scratch buffers.</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>
    /// How many ILGPU kernels this device has launched (GPU or emulated CPU path; the host CPU path runs
    /// the same sequence of kernels as plain calls and does not count them). Launch overhead dominates
    /// small nets, so this is what fusion and preallocation reduce.
    /// </summary>
    public long KernelLaunches => Interlocked.Read(ref _kernelLaunches);

    /// <summary>
    /// Whether every operation checks its result for NaN and infinity, like TensorFlow's
    /// <c>tf.debugging.enable_check_numerics</c>: the first operation that produces one throws a
    /// <see cref="NonFiniteValueException"/> naming the operation, the tensor and the first bad element.
    /// </summary>
    /// <remarks>
    /// Off by default: each check copies the result to the host and waits for the device, which costs
    /// far more than the operation on a GPU. Set from <see cref="ComputeDeviceOptions.CheckNumerics"/>
    /// or the <c>GRADIENTDESCENT_CHECK_NUMERICS</c> environment variable; may be changed at any time.
    /// </remarks>
    public bool CheckNumerics { get; set; }

    /// <summary>Whether this device has been disposed.</summary>
    public bool IsDisposed => _disposed;

    internal Accelerator Accelerator { get; }

    internal bool IsCpu => Accelerator.AcceleratorType == AcceleratorType.CPU;

    /// <summary>Whether the host SIMD kernels run instead of the ILGPU kernels.</summary>
    internal bool UsesHostKernels => CpuKernels == CpuKernelSet.Host;

    /// <summary>
    /// Creates a device: the kind in <paramref name="options"/>, else the one named by the
    /// <c>GRADIENTDESCENT_DEVICE</c> environment variable, else the best present: CUDA, then an OpenCL
    /// GPU, then the CPU (with host SIMD kernels, which beat an OpenCL CPU runtime; ask for <c>opencl</c>
    /// explicitly to use one).
    /// </summary>
    /// <param name="options">Which accelerator to use.</param>
    /// <returns>A device the caller owns and must dispose.</returns>
    /// <exception cref="InvalidOperationException">The requested kind or index is not present; the message lists what is.</exception>
    /// <exception cref="ArgumentException">The environment variable holds an unknown kind.</exception>
    public static ComputeDevice Create(ComputeDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kind = options.Kind;
        var index = options.Index;
        if (kind is null)
        {
            var env = Environment.GetEnvironmentVariable(ComputeDeviceOptions.EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(env))
            {
                var parsed = ComputeDeviceOptions.Parse(env);
                (kind, index) = (parsed.Kind, parsed.Index);
            }
        }

        var cpuKernels = options.ResolveCpuKernels();
        bool checkNumerics = options.ResolveCheckNumerics();
        int cores = options.CpuCores ?? Environment.ProcessorCount;
        if (cores < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), cores, "CpuCores must be at least 1.");
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
            return new ComputeDevice(context, accelerator, chosenKind, chosenIndex, cpuKernels, checkNumerics);
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
    /// <exception cref="ArgumentException">The environment variable holds an unknown kind.</exception>
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

    /// <summary>Blocks until every kernel launched on this device has finished.</summary>
    /// <exception cref="ObjectDisposedException">The device has been disposed.</exception>
    public void Synchronize()
    {
        using var scope = Lock();
        Accelerator.Synchronize();
    }

    /// <summary>
    /// A one-line description: kind, index, name and memory, the CPU kernel set, and whether numeric
    /// checks are on (so that a log or a benchmark report shows a run that paid for them).
    /// </summary>
    /// <returns>For example <c>cuda:0 NVIDIA H100 80GB HBM3 (79.1 GiB)</c>.</returns>
    public override string ToString()
    {
        string kernels = CpuKernels is { } set ? $", {set.ToString().ToLowerInvariant()} kernels" : string.Empty;
        string checks = CheckNumerics ? ", numeric checks on" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"{KindName(Kind)}:{Index} {Name} ({MemorySize / (1024.0 * 1024 * 1024):0.0} GiB{kernels}{checks})");
    }

    /// <summary>Frees every tensor still alive on the device, the kernels, and the accelerator.</summary>
    public void Dispose()
    {
        // Under the lock, so that a kernel running on another thread finishes before its buffers go.
        using var scope = LockForRelease();
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        TensorStorage[] live;
        lock (_live)
        {
            live = [.. _live];
            _live.Clear();
        }

        foreach (var storage in live)
        {
            storage.Free();
        }

        Accelerator.Dispose();
        _context.Dispose();
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// Takes the device's lock (re-entrant) and makes its accelerator current on this thread, as a CUDA
    /// context must be on the thread that launches. Every allocation, copy and launch runs inside one.
    /// </summary>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="ObjectDisposedException">
    /// The device has been disposed, possibly by another thread since the caller checked its operands:
    /// checked under the lock, so no kernel ever runs on freed buffers.
    /// </exception>
    internal DeviceLock Lock()
    {
        _gate.Enter();
        if (_disposed)
        {
            _gate.Exit();
            ThrowIfDisposed();
        }

        Accelerator.Bind();
        return new DeviceLock(_gate);
    }

    /// <summary>Takes the device's lock to free memory, which is harmless after the device is disposed.</summary>
    /// <returns>The held lock; dispose it to release.</returns>
    internal DeviceLock LockForRelease()
    {
        _gate.Enter();
        return new DeviceLock(_gate);
    }

    internal TensorStorage Allocate(int length) => Allocate<float>(length);

    /// <summary>A buffer of <typeparamref name="T"/> counted in <see cref="AllocatedBytes"/> and freed with the device, like tensor storage.</summary>
    internal TensorStorage Allocate<T>(int length)
        where T : unmanaged
    {
        using var scope = Lock();
        var storage = new TensorStorage(this, Accelerator.Allocate1D<T>(Math.Max(length, 1)));
        lock (_live)
        {
            _live.Add(storage);
        }

        Interlocked.Add(ref _allocatedBytes, storage.Bytes);
        return storage;
    }

    internal void Release(TensorStorage storage)
    {
        lock (_live)
        {
            _live.Remove(storage);
        }

        Interlocked.Add(ref _allocatedBytes, -storage.Bytes);
    }

    /// <summary>Returns the launcher for <paramref name="kernel"/>, compiling it on first use; counts one launch.</summary>
    /// <remarks>
    /// A failed compile is not cached and is reported with the kernel's name and the accelerator, so one
    /// bad kernel never leaves the device silently unusable for the others.
    /// </remarks>
    internal TLauncher Kernel<TLauncher>(Delegate kernel, Func<Accelerator, TLauncher> load)
        where TLauncher : Delegate
    {
        ThrowIfDisposed();
        // Every launcher fetches its kernel right before launching it, once per launch.
        Interlocked.Increment(ref _kernelLaunches);
        if (_kernels.TryGetValue(kernel.Method, out var cached))
        {
            return (TLauncher)cached;
        }

        TLauncher launcher;
        try
        {
            launcher = load(Accelerator);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                $"Kernel {kernel.Method.DeclaringType?.Name}.{kernel.Method.Name} failed to compile for {this}: {e.Message}", e);
        }

        _kernels[kernel.Method] = launcher;
        return launcher;
    }

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

    internal static string KindName(DeviceKind kind) => kind switch
    {
        DeviceKind.Cuda => "cuda",
        DeviceKind.OpenCL => "opencl",
        _ => "cpu",
    };

    /// <summary>A held <see cref="ComputeDevice.Lock"/>; disposing it releases the lock.</summary>
    internal readonly struct DeviceLock(Lock gate) : IDisposable
    {
        public void Dispose() => gate.Exit();
    }
}
