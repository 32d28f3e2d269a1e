using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// A device buffer the device counts in <see cref="ComputeDevice.AllocatedBytes"/>: the floats shared by a
/// tensor and its views, or the ints of labels and index scratch. Freed once, by its owner or by the device.
/// </summary>
internal sealed class TensorStorage
{
    private MemoryBuffer? _buffer;

    internal TensorStorage(ComputeDevice device, MemoryBuffer buffer)
    {
        Device = device;
        _buffer = buffer;
        Bytes = buffer.LengthInBytes;
    }

    internal ComputeDevice Device { get; }

    internal long Bytes { get; }

    internal bool IsFreed => _buffer is null;

    /// <summary>Elements <c>[offset, offset + length)</c> of a float buffer.</summary>
    internal ArrayView<float> View(int offset, int length) =>
        ((MemoryBuffer1D<float, Stride1D.Dense>)_buffer!).View.SubView(offset, length);

    /// <summary>The first <paramref name="length"/> elements of an int buffer.</summary>
    internal ArrayView<int> IntView(int length) =>
        ((MemoryBuffer1D<int, Stride1D.Dense>)_buffer!).View.SubView(0, length);

    internal void Free()
    {
        using var scope = Device.LockForRelease();
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is null)
        {
            return;
        }

        buffer.Dispose();
        Device.Release(this);
    }
}
