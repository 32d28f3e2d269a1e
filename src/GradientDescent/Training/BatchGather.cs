using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Gathers chosen rows of a data set into device buffers kept for reuse: the shuffled mini-batches of
/// <see cref="Trainer"/>. Rows never leave the device; only the row indices are copied from the host.
/// </summary>
/// <remarks>
/// <para>
/// The source is x (rows, features) with its labels; a batch is x[indices] (count, features) and
/// labels[indices]. Buffers are allocated once per distinct batch size (an epoch has at most two: the
/// batch size and the last, smaller batch) and overwritten by the next <see cref="Next"/> of that size,
/// so a training step allocates nothing.
/// </para>
/// <para>
/// Every index is checked on the host before the kernel runs: an out-of-range read inside a kernel
/// terminates the process on the CPU accelerator and can poison a CUDA context.
/// </para>
/// </remarks>
public sealed class BatchGather : IDisposable
{
    private readonly Tensor _x;
    private readonly Labels _labels;
    private readonly DeviceBuffer _index;
    private readonly Dictionary<int, (Tensor X, Labels Labels)> _buffers = [];
    private bool _disposed;

    /// <summary>Prepares to gather batches of at most <paramref name="capacity"/> rows from x and labels.</summary>
    /// <param name="x">The source rows, (rows, features); not owned.</param>
    /// <param name="labels">One label per row of <paramref name="x"/>, on the same device; not owned.</param>
    /// <param name="capacity">The largest batch, at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix, or the label count or device differs.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> or the labels have been disposed.</exception>
    public BatchGather(Tensor x, Labels labels, int capacity)
    {
        TensorChecks.Rank(nameof(BatchGather), x, nameof(x), 2);
        ArgumentNullException.ThrowIfNull(labels);
        TensorChecks.Labels(nameof(BatchGather), x.Device, x.Shape[0], labels.Classes, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _x = x;
        _labels = labels;
        Capacity = capacity;
        _index = x.Device.Memory.Allocate<int>(capacity);
        _index.Owner = this;
    }

    /// <summary>The largest batch <see cref="Next"/> accepts.</summary>
    public int Capacity { get; }

    /// <summary>The number of rows of the source.</summary>
    public int SourceRows => _x.Shape[0];

    /// <summary>Gathers rows <c>x[indices[0]], x[indices[1]], …</c> and their labels.</summary>
    /// <param name="indices">Row indices of the source, each in <c>0..rows−1</c>; 1 to <see cref="Capacity"/> of them; repeats allowed.</param>
    /// <returns>
    /// The batch: x is (indices.Length, features), labels has indices.Length entries. Both are owned by this
    /// object (disposing them does nothing) and overwritten by the next call with the same number of indices.
    /// </returns>
    /// <exception cref="ArgumentException">No indices, more than <see cref="Capacity"/>, or an index outside the rows (the message gives its position and value).</exception>
    /// <exception cref="ObjectDisposedException">This object, the source or its labels have been disposed.</exception>
    public (Tensor X, Labels Labels) Next(ReadOnlySpan<int> indices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int count = indices.Length;
        if (count < 1 || count > Capacity)
        {
            throw new ArgumentException(
                $"BatchGather: {count} indices given; a batch takes 1 to {Capacity} (the capacity).", nameof(indices));
        }

        int rows = SourceRows;
        for (int i = 0; i < count; i++)
        {
            if ((uint)indices[i] >= (uint)rows)
            {
                throw new ArgumentException(
                    $"BatchGather: index {indices[i]} at position {i} is outside 0..{rows - 1} (the source {_x.ShapeText} has {rows} rows).",
                    nameof(indices));
            }
        }

        if (!_buffers.TryGetValue(count, out var batch))
        {
            var images = Tensor.Uninitialized(_x.Device, [count, _x.Shape[1]]).OwnedBy(this);
            try
            {
                batch = (images, Labels.FromArray(_x.Device, new int[count], _labels.Classes).OwnedBy(this));
            }
            catch
            {
                images.Release();
                throw;
            }

            _buffers[count] = batch;
        }

        // One lock for the copy and the gather: the index buffer must not be rewritten in between.
        using var scope = _x.Device.Lock();
        var index = _index.IntView(count);
        index.CopyFromCPU(indices);
        GatherKernels.Rows(_x, _labels, index, count, batch.X, batch.Labels);
        return batch;
    }

    /// <summary>Names the gatherer, for memory reports.</summary>
    /// <returns>For example <c>BatchGather of (8000, 784), batches up to 64</c>.</returns>
    public override string ToString() => $"BatchGather of {_x.ShapeText}, batches up to {Capacity}";

    /// <summary>Frees the batch buffers and the index buffer (not the source); harmless to call twice.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (x, labels) in _buffers.Values)
        {
            x.Release();
            labels.Release();
        }

        _buffers.Clear();
        _index.Free();
    }
}
