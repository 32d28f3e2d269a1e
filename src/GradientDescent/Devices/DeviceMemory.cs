using System.Collections.Concurrent;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Every allocation the library holds on one device: allocates, frees, counts bytes, frees buffers the
/// garbage collector found unreachable, and reports who holds what.
/// </summary>
/// <remarks>
/// <para>
/// The registry keeps each ILGPU buffer strongly but its <see cref="DeviceBuffer"/> handle only weakly, so a
/// handle nobody references can be finalized. Its finalizer queues the id; the memory is freed at the
/// device's next allocation (or <see cref="ComputeDevice.AllocatedBytes"/> read), under the device lock, on a
/// thread that uses the device — never on the finalizer thread, where a CUDA context is not current.
/// </para>
/// <para>
/// Launchers read their operands' views after any allocation they make, so a buffer freed here is never
/// one whose view an operation in progress still holds: the operand tensors are alive until that read.
/// </para>
/// </remarks>
internal sealed class DeviceMemory(ComputeDevice device, long? limit)
{
    private readonly Dictionary<long, Entry> _live = [];
    private readonly ConcurrentQueue<long> _unreachable = new();
    private long _allocatedBytes;
    private long _nextId;

    internal long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>The id of the latest allocation: every buffer allocated after reading it has a larger one.</summary>
    internal long LastId => Interlocked.Read(ref _nextId);

    /// <summary>A buffer of <paramref name="length"/> elements (at least one is allocated).</summary>
    /// <exception cref="DeviceOutOfMemoryException">The accelerator refused the allocation.</exception>
    internal DeviceBuffer Allocate<T>(int length)
        where T : unmanaged
    {
        using var scope = device.Lock();
        CollectUnreachable();
        long bytes = (long)Math.Max(length, 1) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (limit is long cap && AllocatedBytes + bytes > cap)
        {
            throw new DeviceOutOfMemoryException(device.ToString(), bytes, AllocatedBytes, cap,
                "the device's memory limit, ComputeDeviceOptions.MemoryLimit, would be exceeded", innerException: null);
        }

        MemoryBuffer buffer;
        try
        {
            buffer = device.Accelerator.Allocate1D<T>(Math.Max(length, 1));
        }
        catch (Exception e) when (e is OutOfMemoryException or AcceleratorException)
        {
            throw new DeviceOutOfMemoryException(device.ToString(), bytes, AllocatedBytes, device.Accelerator.MemorySize, e);
        }

        var handle = new DeviceBuffer(device, buffer, Interlocked.Increment(ref _nextId));
        lock (_live)
        {
            _live.Add(handle.Id, new Entry(buffer, new WeakReference<DeviceBuffer>(handle)));
        }

        Interlocked.Add(ref _allocatedBytes, buffer.LengthInBytes);
        GC.AddMemoryPressure(buffer.LengthInBytes);
        return handle;
    }

    /// <summary>Frees the buffer with this id, if it is still registered.</summary>
    internal void Free(long id)
    {
        using var scope = device.LockForRelease();
        MemoryBuffer? buffer;
        lock (_live)
        {
            buffer = _live.Remove(id, out var entry) ? entry.Buffer : null;
        }

        if (buffer is not null)
        {
            Release(buffer);
        }
    }

    /// <summary>Called by a finalizer: queues the id for <see cref="CollectUnreachable"/>. Touches no device object.</summary>
    internal void ReleaseUnreachable(long id) => _unreachable.Enqueue(id);

    /// <summary>Frees the buffers whose handles were finalized. Call with the device lock held.</summary>
    internal void CollectUnreachable()
    {
        while (_unreachable.TryDequeue(out long id))
        {
            Free(id);
        }
    }

    /// <summary>Frees everything still registered (the device is being disposed); handles then report freed.</summary>
    internal void FreeAll()
    {
        List<Entry> all;
        lock (_live)
        {
            all = [.. _live.Values];
            _live.Clear();
        }

        foreach (var entry in all)
        {
            if (entry.Handle.TryGetTarget(out var handle))
            {
                handle.Detach();
            }

            Release(entry.Buffer);
        }

        _unreachable.Clear();
    }

    /// <summary>The live allocations grouped by owner, largest first.</summary>
    internal IReadOnlyList<MemoryUsage> Usage()
    {
        var groups = new Dictionary<string, (long Bytes, int Buffers)>(StringComparer.Ordinal);
        lock (_live)
        {
            foreach (var entry in _live.Values)
            {
                string owner = entry.Handle.TryGetTarget(out var handle)
                    ? handle.Owner?.ToString() ?? MemoryUsage.CallerOwner
                    : MemoryUsage.UnreachableOwner;
                var (bytes, buffers) = groups.GetValueOrDefault(owner);
                groups[owner] = (bytes + entry.Buffer.LengthInBytes, buffers + 1);
            }
        }

        return [.. groups.Select(g => new MemoryUsage(g.Key, g.Value.Bytes, g.Value.Buffers))
            .OrderByDescending(u => u.Bytes).ThenBy(u => u.Owner, StringComparer.Ordinal)];
    }

    private void Release(MemoryBuffer buffer)
    {
        long bytes = buffer.LengthInBytes;
        buffer.Dispose();
        Interlocked.Add(ref _allocatedBytes, -bytes);
        GC.RemoveMemoryPressure(bytes);
    }

    private readonly record struct Entry(MemoryBuffer Buffer, WeakReference<DeviceBuffer> Handle);
}
