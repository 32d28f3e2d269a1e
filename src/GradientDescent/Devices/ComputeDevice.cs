using System.Globalization;
using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// One ILGPU accelerator (CUDA, OpenCL or the CPU) with everything that lives on it: the context, the
/// compiled kernels (each compiled once, on first use) and every buffer the library allocated there.
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
/// <see cref="GradientTape"/> — are not synchronised: use each from one thread at a time.
/// </para>
/// </remarks>
public sealed partial class ComputeDevice : IDisposable
{
    private static int s_created;
    private readonly Context _context;
    private readonly Lock _gate = new();
    private bool _disposed;

    private ComputeDevice(
        Context context, Accelerator accelerator, DeviceKind kind, int index, CpuKernelSet cpuKernels, bool checkNumerics, long? memoryLimit)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Index = index;
        CpuKernels = kind == DeviceKind.Cpu ? cpuKernels : null;
        CheckNumerics = checkNumerics;
        Number = Interlocked.Increment(ref s_created);
        Memory = new DeviceMemory(this, memoryLimit);
        Kernels = new KernelLauncher(this);
    }

    /// <summary>The kind of accelerator.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The index of this device among the present devices of its kind.</summary>
    public int Index { get; }

    /// <summary>
    /// This device object's number in the process (1 for the first created), so that messages about two
    /// devices of the same kind (two <c>cpu:0</c> devices, say) tell them apart.
    /// </summary>
    public int Number { get; }

    /// <summary>On the CPU, which kernels run (host SIMD or the emulated ILGPU kernels); null on a GPU.</summary>
    public CpuKernelSet? CpuKernels { get; }

    /// <summary>The accelerator's name as its driver reports it.</summary>
    public string Name => Accelerator.Name;

    /// <summary>The accelerator's memory in bytes (for the CPU, the memory available to this process).</summary>
    public long MemorySize => IsCpu ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : Accelerator.MemorySize;

    /// <summary>
    /// Bytes of device memory the library holds on this device: tensors, labels and internal scratch
    /// buffers. Reading it first frees buffers the garbage collector found unreachable.
    /// </summary>
    public long AllocatedBytes
    {
        get
        {
            if (!_disposed)
            {
                using var scope = LockForRelease();
                Memory.CollectUnreachable();
            }

            return Memory.AllocatedBytes;
        }
    }

    /// <summary>
    /// How many ILGPU kernels this device has launched (GPU or emulated CPU path; the host CPU path runs
    /// the same sequence of kernels as plain calls and does not count them). Launch overhead dominates
    /// small nets, so this is what fusion and preallocation reduce.
    /// </summary>
    public long KernelLaunches => Kernels.Launches;

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

    internal DeviceMemory Memory { get; }

    internal KernelLauncher Kernels { get; }

    internal bool IsCpu => Accelerator.AcceleratorType == AcceleratorType.CPU;

    /// <summary>Whether the host SIMD kernels run instead of the ILGPU kernels.</summary>
    internal bool UsesHostKernels => CpuKernels == CpuKernelSet.Host;

    /// <summary>The memory the library holds on this device, grouped by who is responsible for freeing it.</summary>
    /// <returns>One entry per owner, largest first; empty when nothing is allocated.</returns>
    /// <remarks>
    /// A tape that was never disposed keeps every result it owns, and a persistent one keeps owning new
    /// results; this names it with the file and line that created it.
    /// </remarks>
    public IReadOnlyList<MemoryUsage> GetMemoryUsage()
    {
        if (!_disposed)
        {
            using var scope = LockForRelease();
            Memory.CollectUnreachable();
        }

        return Memory.Usage();
    }

    /// <summary>Blocks until every kernel launched on this device has finished.</summary>
    /// <exception cref="ObjectDisposedException">The device has been disposed.</exception>
    public void Synchronize()
    {
        using var scope = Lock();
        Accelerator.Synchronize();
    }

    /// <summary>
    /// A one-line description: kind, index, name and memory, the CPU kernel set, whether numeric checks
    /// are on (so that a log or a benchmark report shows a run that paid for them), and this object's number.
    /// </summary>
    /// <returns>For example <c>cuda:0 NVIDIA H100 80GB HBM3 (79.1 GiB, device #1)</c>.</returns>
    public override string ToString()
    {
        string kernels = CpuKernels is { } set ? $", {set.ToString().ToLowerInvariant()} kernels" : string.Empty;
        string checks = CheckNumerics ? ", numeric checks on" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"{KindName(Kind)}:{Index} {Name} ({MemorySize / (1024.0 * 1024 * 1024):0.0} GiB{kernels}{checks}, device #{Number})");
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
        Memory.FreeAll();
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
        if (!_disposed)
        {
            Accelerator.Bind();
        }

        return new DeviceLock(_gate);
    }

    /// <summary>A held <see cref="ComputeDevice.Lock"/>; disposing it releases the lock.</summary>
    internal readonly struct DeviceLock(Lock gate) : IDisposable
    {
        public void Dispose() => gate.Exit();
    }
}
