using System.Runtime.CompilerServices;

namespace GradientDescent;

// The views and copies a user takes of a tensor are operations, recorded by tapes like any other, so
// they are declared here in the operations layer; the core of Tensor knows nothing of tapes.
public sealed partial class Tensor
{
    /// <summary>A view with another shape over the same elements; see <see cref="Ops.Reshape"/>.</summary>
    /// <param name="shape">The new shape; one extent may be −1.</param>
    /// <returns>A view (no copy), recorded by tapes.</returns>
    /// <exception cref="ArgumentException">The shape does not hold <see cref="Length"/> elements.</exception>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public Tensor Reshape(params int[] shape) => Ops.Reshape(this, shape);

    /// <summary>A view of rows <c>[start, start + count)</c> of a matrix; see <see cref="Ops.Rows"/>.</summary>
    /// <param name="start">The first row.</param>
    /// <param name="count">How many rows.</param>
    /// <returns>A (count, cols) view (no copy), recorded by tapes.</returns>
    /// <exception cref="InvalidOperationException">This tensor is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the rows.</exception>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public Tensor Rows(int start, int count)
    {
        RequireMatrix();
        return Ops.Rows(this, start, count);
    }

    /// <summary>Rows of a matrix by range, like <c>x[:2]</c> in Python: <c>x[..2]</c>, <c>x[^1..]</c>; see <see cref="Ops.Rows"/>.</summary>
    /// <param name="rows">The range of rows; it must hold at least one.</param>
    /// <returns>A (count, cols) view (no copy), recorded by tapes.</returns>
    /// <exception cref="InvalidOperationException">This tensor is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or does not lie within the rows.</exception>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    [IndexerName("Slice")]   // the default name, Item, is taken by Item()
    public Tensor this[Range rows]
    {
        get
        {
            RequireMatrix();
            int total = _shape[0];
            int start = rows.Start.IsFromEnd ? total - rows.Start.Value : rows.Start.Value;
            int end = rows.End.IsFromEnd ? total - rows.End.Value : rows.End.Value;
            return Ops.Rows(this, start, end - start);
        }
    }

    /// <summary>A copy in a new buffer; see <see cref="Ops.Clone"/>.</summary>
    /// <returns>A tensor with the same shape and values, recorded by tapes (its gradient flows back to this one).</returns>
    /// <exception cref="ObjectDisposedException">This tensor has been disposed.</exception>
    public Tensor Clone() => Ops.Clone(this);

    /// <summary>Row slicing is a property of this tensor, so a wrong rank is this tensor's state, not a bad argument.</summary>
    private void RequireMatrix()
    {
        ThrowIfDisposed();
        if (Rank != 2)
        {
            throw new InvalidOperationException($"Rows needs a matrix, but this tensor has shape {ShapeText}.");
        }
    }
}
