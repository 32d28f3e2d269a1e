using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// A float32 tensor of any rank stored in a buffer on a <see cref="ComputeDevice"/>. Operations are
/// defined for scalars (rank 0), vectors (rank 1) and matrices (rank 2, row-major).
/// </summary>
/// <remarks>
/// A tensor either owns its storage or is a view of another tensor's storage (<see cref="Reshape"/>,
/// <see cref="Rows"/>). Disposing an owner frees its device memory and makes its views report
/// disposed; disposing a view frees nothing. Tensors returned by an operation while a
/// <see cref="GradientTape"/> records are owned by that tape (see there); otherwise by the caller.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorStorage _storage;
    private readonly int[] _shape;
    private readonly bool _ownsStorage;
    private bool _disposed;

    private Tensor(TensorStorage storage, int offset, int[] shape, bool ownsStorage)
    {
        _storage = storage;
        Offset = offset;
        _shape = shape;
        Length = ShapeMath.Product(shape);
        _ownsStorage = ownsStorage;
    }

    /// <summary>The device that holds this tensor.</summary>
    public ComputeDevice Device => _storage.Device;

    /// <summary>The extent of each dimension; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements (1 for a scalar).</summary>
    public int Length { get; }

    /// <summary>
    /// Whether a <see cref="GradientTape"/> watches this tensor automatically, as TensorFlow does for a
    /// trainable <c>tf.Variable</c>. Parameters of <see cref="TwoLayerNet"/> are trainable.
    /// </summary>
    public bool IsTrainable { get; set; }

    /// <summary>Whether this tensor (or the storage it views) has been disposed.</summary>
    public bool IsDisposed => _disposed || _storage.IsFreed;

    /// <summary>Whether this tensor is a view of another tensor's storage.</summary>
    public bool IsView => !_ownsStorage;

    internal int Offset { get; }

    internal TensorStorage Storage => _storage;

    internal int RowCount => Rank == 2 ? _shape[0] : 1;

    internal int ColumnCount => Rank == 0 ? 1 : _shape[^1];

    /// <summary>The elements on the device, for kernels. Throws if disposed.</summary>
    internal ArrayView<float> View
    {
        get
        {
            ThrowIfDisposed();
            return _storage.View(Offset, Length);
        }
    }

    /// <summary>The shape as TensorFlow prints it, e.g. <c>(2, 10)</c>, <c>(10,)</c> or <c>()</c>.</summary>
    public string ShapeText => ShapeMath.Format(_shape);

    /// <summary>
    /// A view with another shape over the same elements (no copy). One dimension may be -1: it is
    /// inferred from the others.
    /// </summary>
    /// <param name="shape">The new shape; its product must equal <see cref="Length"/>.</param>
    /// <returns>A view; disposing it frees nothing, disposing this tensor invalidates it.</returns>
    /// <exception cref="ArgumentException">More than one -1, a negative or zero extent, or a product that differs from <see cref="Length"/>.</exception>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public Tensor Reshape(params int[] shape)
    {
        ThrowIfDisposed();
        var resolved = ShapeMath.ResolveReshape(_shape, shape);
        var view = new Tensor(_storage, Offset, resolved, ownsStorage: false);
        GradientTape.RecordReshape(this, view);
        return view;
    }

    /// <summary>A view of rows <c>[start, start + count)</c> of a matrix (no copy), like <c>x[start:start+count]</c>.</summary>
    /// <param name="start">The first row.</param>
    /// <param name="count">How many rows.</param>
    /// <returns>A (count, columns) view; it is not recorded by tapes.</returns>
    /// <exception cref="InvalidOperationException">This tensor is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the rows.</exception>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public Tensor Rows(int start, int count)
    {
        ThrowIfDisposed();
        if (Rank != 2)
        {
            throw new InvalidOperationException($"Rows needs a matrix, but this tensor has shape {ShapeText}.");
        }

        if (start < 0 || count < 1 || start > _shape[0] - count)
        {
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Rows [{start}, {start + count}) do not lie within the {_shape[0]} rows of a {ShapeText} tensor (count must be at least 1).");
        }

        return new Tensor(_storage, Offset + (start * _shape[1]), [count, _shape[1]], ownsStorage: false);
    }

    /// <summary>Copies the elements to a new host array, row-major.</summary>
    /// <returns>An array of <see cref="Length"/> floats.</returns>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public float[] ToArray()
    {
        ThrowIfDisposed();
        var result = new float[Length];
        using var scope = Device.Lock();
        View.CopyToCPU(result);
        return result;
    }

    /// <summary>Copies the single element of a scalar (or one-element tensor) to the host.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public float Item()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException($"Item needs a tensor with one element, but this one has shape {ShapeText}.");
        }

        return ToArray()[0];
    }

    /// <summary>Copies this tensor into new storage owned by the caller (never recorded by tapes).</summary>
    /// <returns>A tensor with the same shape and values.</returns>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public Tensor Clone() => CloneAs(_shape);

    /// <summary>A copy of the elements in new storage with another shape of the same length; never recorded by tapes.</summary>
    internal Tensor CloneAs(int[] shape)
    {
        ThrowIfDisposed();
        var copy = Uninitialized(Device, shape);
        using var scope = Device.Lock();
        View.CopyTo(copy.View);
        return copy;
    }

    /// <summary>A preview in the spirit of TensorFlow: <c>&lt;Tensor: shape=(2, 10), device=cpu:0, values=[[...]]&gt;</c>.</summary>
    /// <returns>The preview; large tensors show their first and last rows and columns only.</returns>
    public override string ToString() => IsDisposed
        ? $"<Tensor: shape={ShapeText}, disposed>"
        : TensorFormatter.Format(this);

    /// <summary>Frees the device memory if this tensor owns it; harmless to call twice.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsStorage)
        {
            _storage.Free();
        }
    }

    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(Tensor),
                $"The {ShapeText} tensor has been disposed{(_storage.Device.IsDisposed ? " (its device was disposed)" : string.Empty)}.");
        }
    }

    internal static Tensor Uninitialized(ComputeDevice device, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        ShapeMath.Validate(shape);
        var storage = device.Allocate(ShapeMath.Product(shape));
        return new Tensor(storage, 0, (int[])shape.Clone(), ownsStorage: true);
    }

    internal static Tensor ViewOf(Tensor owner, int offset, int[] shape) =>
        new(owner._storage, owner.Offset + offset, shape, ownsStorage: false);
}
