using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Integer class labels <c>0..Classes-1</c> on a device, one per example: the sparse targets of
/// <see cref="Ops.SoftmaxCrossEntropy(Tensor, Labels)"/> and <see cref="Ops.Accuracy"/>.
/// </summary>
/// <remarks>
/// Every label is checked on the host when created, so kernels can index with them safely. Their buffer
/// counts in <see cref="ComputeDevice.AllocatedBytes"/> and is freed by <see cref="Dispose"/> or with the device.
/// </remarks>
public sealed class Labels : IDisposable
{
    private readonly DeviceBuffer _storage;
    private readonly int _offset;
    private readonly bool _isView;

    private Labels(ComputeDevice device, DeviceBuffer storage, int count, int classes, int offset = 0, bool isView = false)
    {
        _offset = offset;
        _isView = isView;
        Device = device;
        _storage = storage;
        Count = count;
        Classes = classes;
    }

    /// <summary>The device that holds the labels.</summary>
    public ComputeDevice Device { get; }

    /// <summary>How many labels (examples).</summary>
    public int Count { get; }

    /// <summary>The number of classes C; every label is in <c>0..C-1</c>.</summary>
    public int Classes { get; }

    /// <summary>Whether the labels have been disposed (or their device has).</summary>
    public bool IsDisposed => _storage.IsFreed;

    internal ArrayView<int> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return _storage.IntView(_offset, Count);
        }
    }

    /// <summary>Copies labels to the device after checking each is in <c>0..classes-1</c>.</summary>
    /// <param name="device">Where the labels live.</param>
    /// <param name="labels">One label per example; at least one.</param>
    /// <param name="classes">The number of classes C, at least 1.</param>
    /// <returns>Labels the caller owns.</returns>
    /// <exception cref="ArgumentException">No labels, or a label outside <c>0..C-1</c> (the message gives its index and value).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1.</exception>
    public static Labels FromArray(ComputeDevice device, ReadOnlySpan<int> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (labels.IsEmpty)
        {
            throw new ArgumentException("At least one label is needed.", nameof(labels));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException(
                    $"Label {labels[i]} at index {i} is outside 0..{classes - 1} ({classes} classes).", nameof(labels));
            }
        }

        var storage = device.Memory.Allocate<int>(labels.Length);
        try
        {
            using (device.Lock())
            {
                storage.IntView(labels.Length).CopyFromCPU(labels);
            }
        }
        catch
        {
            storage.Free();
            throw;
        }

        return new Labels(device, storage, labels.Length, classes);
    }

    /// <summary>Copies byte labels (as MNIST stores them) to the device; see <see cref="FromArray"/>.</summary>
    /// <param name="device">Where the labels live.</param>
    /// <param name="labels">One label per example.</param>
    /// <param name="classes">The number of classes C.</param>
    /// <returns>Labels the caller owns.</returns>
    /// <exception cref="ArgumentException">No labels, or a label outside <c>0..C-1</c>.</exception>
    public static Labels FromBytes(ComputeDevice device, ReadOnlySpan<byte> labels, int classes)
    {
        var ints = new int[labels.Length];
        for (int i = 0; i < ints.Length; i++)
        {
            ints[i] = labels[i];
        }

        return FromArray(device, ints, classes);
    }

    /// <summary>Copies the labels to the host.</summary>
    /// <returns>An array of <see cref="Count"/> labels.</returns>
    /// <exception cref="ObjectDisposedException">The labels have been disposed.</exception>
    public int[] ToArray()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var result = new int[Count];
        using var scope = Device.Lock();
        View.CopyToCPU(result);
        return result;
    }

    /// <summary>Who frees these labels: null while the caller does, else the object that handed them out.</summary>
    internal object? Owner { get; private set; }

    /// <summary>
    /// Frees the device memory if the caller owns the labels; does nothing for labels an object owns
    /// (a data set's, a batch gatherer's): their owner frees them. Harmless to call twice.
    /// </summary>
    public void Dispose()
    {
        if (Owner is null && !_isView)
        {
            _storage.Free();
        }
    }

    /// <summary>Labels <c>[start, start + count)</c> sharing this buffer (no copy); disposing them frees nothing. Checked by the caller.</summary>
    internal Labels Slice(int start, int count) => new(Device, _storage, count, Classes, _offset + start, isView: true);

    /// <summary>Frees the labels whoever owns them.</summary>
    internal void Release()
    {
        if (!_isView)
        {
            _storage.Free();
        }
    }

    /// <summary>Makes <paramref name="owner"/> responsible for freeing these labels.</summary>
    internal Labels OwnedBy(object owner)
    {
        Owner = owner;
        _storage.Owner = owner;
        return this;
    }
}
