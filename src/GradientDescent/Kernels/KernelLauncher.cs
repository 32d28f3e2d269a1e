using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// The one place kernels are launched from: the device lock, the host-or-ILGPU choice, compiling and
/// caching each kernel once per device, resolving the launch shape, and counting launches.
/// </summary>
/// <remarks>
/// A launcher is a few lines:
/// <code>
/// using var launch = y.Device.Kernels.Begin();
/// if (launch.OnHost) { HostForward(x, y); return; }
/// launch.Run(LaunchShape.Elements(y.Length), ForwardKernel, x.View, y.View, y.Length);
/// </code>
/// <see cref="Begin"/> takes the lock before the operands' views are read, so no buffer can be freed
/// between reading a view and launching on it (see <see cref="DeviceMemory"/>).
/// </remarks>
internal sealed class KernelLauncher(ComputeDevice device)
{
    private readonly ConcurrentDictionary<MethodInfo, Delegate> _loaded = new();
    private long _launches;

    internal long Launches => Interlocked.Read(ref _launches);

    /// <summary>Takes the device lock for one launch (or host call) and returns the handle to launch with.</summary>
    /// <exception cref="ObjectDisposedException">The device has been disposed.</exception>
    internal Launch Begin() => new(this, device.Lock());

    /// <summary>
    /// The compiled launcher of <paramref name="kernel"/>, compiled on first use; counts one launch.
    /// A failed compile is not cached and is reported with the kernel's name and the device, so one bad
    /// kernel never leaves the device silently unusable for the others.
    /// </summary>
    internal TLaunch Load<TKernel, TLaunch>(TKernel kernel, Func<Accelerator, TKernel, TLaunch> compile)
        where TKernel : Delegate
        where TLaunch : Delegate
    {
        Interlocked.Increment(ref _launches);
        if (_loaded.TryGetValue(kernel.Method, out var cached))
        {
            return (TLaunch)cached;
        }

        TLaunch launcher;
        try
        {
            launcher = compile(device.Accelerator, kernel);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed compile leaves ILGPU's IR context faulted: every later compile in it would throw
            // NullReferenceException. Clearing the context's caches (not the accelerator's, so kernels already
            // loaded keep running) makes it usable again; Load runs under the device lock, as this requires.
            device.Accelerator.Context.ClearCache(ClearCacheMode.Everything);
            throw new KernelCompilationException(
                $"Kernel {kernel.Method.DeclaringType?.Name}.{kernel.Method.Name} failed to compile for {device}: {e.Message}", e);
        }

        _loaded[kernel.Method] = launcher;
        return launcher;
    }

    /// <summary>One launch in progress: holds the device lock until disposed.</summary>
    internal readonly ref struct Launch
    {
        private readonly KernelLauncher _launcher;
        private readonly ComputeDevice.DeviceLock _lock;

        internal Launch(KernelLauncher launcher, ComputeDevice.DeviceLock held) => (_launcher, _lock) = (launcher, held);

        /// <summary>Whether the host SIMD kernels replace the ILGPU kernels on this device.</summary>
        internal bool OnHost => _launcher.UsesHost;

        /// <summary>The device the launch runs on.</summary>
        internal ComputeDevice Device => _launcher.Device;

        public void Dispose() => _lock.Dispose();

        internal void Run<T1>(LaunchShape shape, Action<T1> kernel, T1 a1)
            where T1 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1);

        internal void Run<T1, T2>(LaunchShape shape, Action<T1, T2> kernel, T1 a1, T2 a2)
            where T1 : struct where T2 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2);

        internal void Run<T1, T2, T3>(LaunchShape shape, Action<T1, T2, T3> kernel, T1 a1, T2 a2, T3 a3)
            where T1 : struct where T2 : struct where T3 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3);

        internal void Run<T1, T2, T3, T4>(LaunchShape shape, Action<T1, T2, T3, T4> kernel, T1 a1, T2 a2, T3 a3, T4 a4)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4);

        internal void Run<T1, T2, T3, T4, T5>(LaunchShape shape, Action<T1, T2, T3, T4, T5> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5);

        internal void Run<T1, T2, T3, T4, T5, T6>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5, a6);

        internal void Run<T1, T2, T3, T4, T5, T6, T7>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5, a6, a7);

        internal void Run<T1, T2, T3, T4, T5, T6, T7, T8>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5, a6, a7, a8);

        internal void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5, a6, a7, a8, a9);

        internal void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);

        internal void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);

        internal void Run<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12>(LaunchShape shape, Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct =>
            _launcher.Load(kernel, static (a, k) => a.LoadStreamKernel(k, KernelCatalog.SpecializationOf(k.Method)))(shape.Resolve(_launcher.Device), a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12);
    }

    private ComputeDevice Device => device;

    private bool UsesHost => device.UsesHostKernels;
}
