using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// What a <see cref="CustomOp"/>'s forward sees while it runs: the device, with its lock held, the
/// tensors' memory, and the library's dispatcher to launch ILGPU kernels with.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Run{T1}(LaunchShape, Action{T1}, T1)"/> goes through the dispatcher every library op uses:
/// the kernel is compiled once per device and cached, the launch is counted in
/// <see cref="ComputeDevice.KernelLaunches"/>, and <see cref="LaunchShape"/> sizes the grid for the
/// accelerator. A kernel is an explicitly grouped ILGPU kernel: a static method whose parameters are
/// <c>ArrayView</c>s and scalars, looping over its work with a grid-stride loop.
/// </para>
/// <para>
/// The views and spans it hands out are valid only until the forward returns: the device lock that keeps
/// their buffers alive (and other threads off the accelerator) is released then. It is a
/// <c>ref struct</c>, so it cannot be stored or captured to be used later. Write only the result; to
/// read another tensor, pass it to <see cref="CustomOp.Apply"/> as an input.
/// </para>
/// <para>
/// On a CPU device with <see cref="CpuKernelSet.Host"/> kernels (<see cref="OnHost"/>), <c>Run</c> still
/// works: it runs the ILGPU kernel on ILGPU's CPU accelerator, correct and slower. Branch on
/// <see cref="OnHost"/> and write the result through <see cref="Span"/> for a host version, as the
/// library's own launchers do.
/// </para>
/// </remarks>
public readonly ref partial struct CustomLaunch
{
    private readonly KernelLauncher.Launch _launch;
    private readonly string _op;

    internal CustomLaunch(KernelLauncher.Launch launch, string op)
    {
        _launch = launch;
        _op = op;
    }

    /// <summary>The device the operation runs on.</summary>
    public ComputeDevice Device => _launch.Device;

    /// <summary>
    /// Whether this device runs the library's host kernels rather than ILGPU kernels (a CPU device with
    /// <see cref="CpuKernelSet.Host"/>): the place for a host version written on <see cref="Span"/>.
    /// </summary>
    public bool OnHost => _launch.OnHost;

    /// <summary>The elements of <paramref name="tensor"/> on the device, row-major, to pass to a kernel.</summary>
    /// <param name="tensor">A live tensor on <see cref="Device"/>: an input or the result.</param>
    /// <returns>A view of <c>tensor.Length</c> floats, valid until the forward returns.</returns>
    /// <exception cref="ArgumentException">The tensor lives on another device.</exception>
    /// <exception cref="ObjectDisposedException">The tensor has been disposed.</exception>
    public ArrayView<float> View(Tensor tensor)
    {
        Check(tensor);
        return tensor.View;
    }

    /// <summary>The elements of <paramref name="tensor"/> as host memory, for a host version of the kernel.</summary>
    /// <param name="tensor">A live tensor on <see cref="Device"/>, which must be a CPU device.</param>
    /// <returns>A span of <c>tensor.Length</c> floats, valid until the forward returns.</returns>
    /// <exception cref="CustomOpException">The device is a GPU, whose memory the host cannot address.</exception>
    /// <exception cref="ArgumentException">The tensor lives on another device.</exception>
    /// <exception cref="ObjectDisposedException">The tensor has been disposed.</exception>
    public Span<float> Span(Tensor tensor)
    {
        if (!Device.IsCpu)
        {
            throw new CustomOpException(_op,
                $"{_op}: Span needs a CPU device, but this launch runs on {Device}; launch an ILGPU kernel there (check OnHost first).");
        }

        Check(tensor);
        return HostMemory.Span(tensor);
    }

    /// <summary>A short description, for debuggers.</summary>
    /// <returns>For example <c>LeakyRelu on cpu:0 ...</c>.</returns>
    public override string ToString() => $"{_op} on {Device}";

    private void Check(Tensor tensor)
    {
        TensorChecks.Live(_op, tensor, nameof(tensor));
        if (!ReferenceEquals(tensor.Device, Device))
        {
            throw new ArgumentException(
                $"{_op}: the {tensor.ShapeText} tensor lives on {tensor.Device}, but the operation runs on {Device}.", nameof(tensor));
        }
    }
}
