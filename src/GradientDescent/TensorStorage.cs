using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>A device buffer shared by a tensor and its views; freed once, by its owner or by the device.</summary>
internal sealed class TensorStorage
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;

    internal TensorStorage(ComputeDevice device, MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        Device = device;
        _buffer = buffer;
        Bytes = buffer.LengthInBytes;
    }

    internal ComputeDevice Device { get; }

    internal long Bytes { get; }

    internal bool IsFreed => _buffer is null;

    internal ArrayView<float> View(int offset, int length) =>
        _buffer!.View.SubView(offset, length);

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
