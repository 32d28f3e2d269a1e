using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// A float32 tensor of any rank stored in a buffer on a <see cref="ComputeDevice"/>. Operations are
/// defined for scalars (rank 0), vectors (rank 1) and matrices (rank 2, row-major).
/// </summary>
/// <remarks>
/// <para>
/// A tensor either owns its buffer or is a view of another tensor's buffer (<see cref="Reshape"/>,
/// <see cref="Rows"/>). Every tensor has one owner, who frees it:
/// </para>
/// <list type="bullet">
/// <item>the caller, for what the factories and operations return outside a <see cref="GradientTape"/>;</item>
/// <item>the active tape, for what operations return while it records (see there);</item>
/// <item>a network, for its parameters, gradients and the loss <see cref="TwoLayerNet.TrainStep"/> returns.</item>
/// </list>
/// <para>
/// <see cref="Dispose"/> frees a tensor the caller owns; on a tensor a tape or a network owns it does
/// nothing, so disposing anything a method returns never breaks its owner. A tensor the caller drops without
/// disposing is freed after the garbage collector finds it unreachable (at the device's next allocation),
/// so a loop such as <c>w = w - lr * dw</c> does not leak; disposing frees at once.
/// </para>
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private readonly DeviceBuffer _buffer;
    private readonly int[] _shape;
    private readonly bool _ownsBuffer;
    private bool _disposed;

    private Tensor(DeviceBuffer buffer, int offset, int[] shape, bool ownsBuffer)
    {
        _buffer = buffer;
        Offset = offset;
        _shape = shape;
        Length = ShapeMath.Product(shape);
        _ownsBuffer = ownsBuffer;
    }

    /// <summary>The device that holds this tensor.</summary>
    public ComputeDevice Device => _buffer.Device;

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

    /// <summary>Whether this tensor (or the buffer it views) has been freed.</summary>
    public bool IsDisposed => _disposed || _buffer.IsFreed;

    /// <summary>Whether this tensor is a view of another tensor's buffer.</summary>
    public bool IsView => !_ownsBuffer;

    /// <summary>The shape as TensorFlow prints it, e.g. <c>(2, 10)</c>, <c>(10,)</c> or <c>()</c>.</summary>
    public string ShapeText => ShapeMath.Format(_shape);

    /// <summary>Who frees this tensor: null while the caller does, else a tape or a network.</summary>
    internal object? Owner { get; private set; }

    internal int Offset { get; }

    internal DeviceBuffer Buffer => _buffer;

    /// <summary>How many in-place writes the library has made to this tensor's buffer.</summary>
    internal int Version => _buffer.Version;

    internal int RowCount => Rank == 2 ? _shape[0] : 1;

    internal int ColumnCount => Rank == 0 ? 1 : _shape[^1];

    /// <summary>The elements on the device, for kernels. Throws if disposed.</summary>
    internal ArrayView<float> View
    {
        get
        {
            ThrowIfDisposed();
            return _buffer.View(Offset, Length);
        }
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

    /// <summary>A preview in the spirit of TensorFlow: <c>&lt;Tensor: shape=(2, 10), device=cpu:0, values=[[...]]&gt;</c>.</summary>
    /// <returns>The preview; large tensors show their first and last rows and columns only (<see cref="TensorPrintOptions.Default"/>).</returns>
    public override string ToString() => ToString(TensorPrintOptions.Default);

    /// <summary>A preview with the given precision and summarisation, like NumPy's print options.</summary>
    /// <param name="options">How many edge items, how many significant digits, or every element.</param>
    /// <returns>The preview, or <c>&lt;Tensor: shape=…, disposed&gt;</c> for a freed tensor.</returns>
    public string ToString(TensorPrintOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return IsDisposed ? $"<Tensor: shape={ShapeText}, disposed>" : TensorFormatter.Format(this, options);
    }

    /// <summary>
    /// Frees the device memory if the caller owns this tensor and it owns its buffer; does nothing for a
    /// tensor a tape or a network owns (its owner frees it). Harmless to call twice.
    /// </summary>
    public void Dispose()
    {
        if (Owner is null)
        {
            Release();
        }
    }

    /// <summary>Frees the tensor whoever owns it: for its owner (a tape, a network) and for the library's own scratch.</summary>
    internal void Release()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsBuffer)
        {
            _buffer.Free();
        }
    }

    /// <summary>Makes <paramref name="owner"/> responsible for freeing this tensor; <see cref="Dispose"/> then does nothing.</summary>
    internal Tensor OwnedBy(object owner)
    {
        Owner = owner;
        if (_ownsBuffer)
        {
            _buffer.Owner = owner;
        }

        return this;
    }

    /// <summary>Gives this tensor back to the caller, who must then dispose it.</summary>
    internal Tensor OwnedByCaller()
    {
        Owner = null;
        if (_ownsBuffer)
        {
            _buffer.Owner = null;
        }

        return this;
    }

    /// <summary>Records an in-place write, so tapes that saved this tensor notice the change.</summary>
    internal void MarkWritten() => _buffer.MarkWritten();

    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(Tensor),
                $"The {ShapeText} tensor has been disposed{(_buffer.Device.IsDisposed ? " (its device was disposed)" : string.Empty)}.");
        }
    }

    /// <summary>A new tensor with its own buffer, contents undefined, owned by the caller.</summary>
    internal static Tensor Uninitialized(ComputeDevice device, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        ShapeMath.Validate(shape);
        var buffer = device.Memory.Allocate<float>(ShapeMath.Product(shape));
        return new Tensor(buffer, 0, (int[])shape.Clone(), ownsBuffer: true);
    }

    /// <summary>A view of <paramref name="shape"/> elements of <paramref name="owner"/>'s buffer from <paramref name="offset"/> on.</summary>
    internal static Tensor ViewOf(Tensor owner, int offset, int[] shape) =>
        new(owner._buffer, owner.Offset + offset, shape, ownsBuffer: false);

    /// <summary>An unrecorded view of the first <paramref name="rows"/> rows of a matrix, for the library's own buffers.</summary>
    internal Tensor LeadingRows(int rows) => ViewOf(this, 0, [rows, _shape[1]]);

    /// <summary>A copy of the elements in a new buffer with another shape of the same length, owned by the caller.</summary>
    internal Tensor CopyAs(int[] shape)
    {
        ThrowIfDisposed();
        var copy = Uninitialized(Device, shape);
        using var scope = Device.Lock();
        View.CopyTo(copy.View);
        return copy;
    }
}
