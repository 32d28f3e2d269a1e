using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// One allocation on a device, counted in <see cref="ComputeDevice.AllocatedBytes"/>: the floats shared by
/// a tensor and its views, or the ints of labels and index scratch. Freed once: by its owner, by the
/// device when the device is disposed, or after the garbage collector finds it unreachable.
/// </summary>
/// <remarks>
/// The finalizer does no device work: it only queues the buffer's id, and the device frees it at its next
/// allocation, under its lock, on a thread that uses the device (see <see cref="DeviceMemory"/>).
/// </remarks>
internal sealed class DeviceBuffer
{
    private MemoryBuffer? _buffer;

    internal DeviceBuffer(ComputeDevice device, MemoryBuffer buffer, long id)
    {
        Device = device;
        _buffer = buffer;
        Id = id;
        Bytes = buffer.LengthInBytes;
    }

    ~DeviceBuffer() => Device.Memory.ReleaseUnreachable(Id);

    internal ComputeDevice Device { get; }

    /// <summary>The device's number for this allocation; ids are never reused.</summary>
    internal long Id { get; }

    internal long Bytes { get; }

    internal bool IsFreed => Volatile.Read(ref _buffer) is null;

    /// <summary>
    /// Bumped by every in-place write the library makes (optimiser updates, gradient-check
    /// perturbations), so a tape can tell that a tensor it saved for its backward pass has changed.
    /// </summary>
    internal int Version { get; private set; }

    /// <summary>Who is responsible for freeing it, as memory reports name it; null while the caller owns it.</summary>
    internal object? Owner { get; set; }

    internal void MarkWritten() => Version++;

    /// <summary>Elements <c>[offset, offset + length)</c> of a float buffer.</summary>
    internal ArrayView<float> View(int offset, int length) =>
        ((MemoryBuffer1D<float, Stride1D.Dense>)_buffer!).View.SubView(offset, length);

    /// <summary>The first <paramref name="length"/> elements of an int buffer.</summary>
    internal ArrayView<int> IntView(int length) => IntView(0, length);

    /// <summary>Elements <c>[offset, offset + length)</c> of an int buffer.</summary>
    internal ArrayView<int> IntView(int offset, int length) =>
        ((MemoryBuffer1D<int, Stride1D.Dense>)_buffer!).View.SubView(offset, length);

    /// <summary>Frees the memory now; harmless to call twice, or after the device is disposed.</summary>
    internal void Free()
    {
        if (Interlocked.Exchange(ref _buffer, null) is null)
        {
            return;
        }

        SuppressFinalizer();
        Device.Memory.Free(Id);
    }

    /// <summary>Forgets the memory without touching it: the device has already freed it.</summary>
    internal void Detach()
    {
        Volatile.Write(ref _buffer, null);
        SuppressFinalizer();
    }

    // The finalizer exists only to return buffers nobody freed; once freed it has nothing to do.
#pragma warning disable CA1816 // This type is not IDisposable by design: its owners (tensors, labels) are.
    private void SuppressFinalizer() => GC.SuppressFinalize(this);
#pragma warning restore CA1816
}
