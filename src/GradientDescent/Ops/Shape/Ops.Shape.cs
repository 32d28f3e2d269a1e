using ILGPU.Runtime;

namespace GradientDescent;

public static partial class Ops
{
    /// <summary>
    /// A view with another shape over the same elements (no copy), like <c>tf.reshape</c>. One extent may
    /// be −1: it is inferred from the others.
    /// </summary>
    /// <param name="x">Any shape.</param>
    /// <param name="shape">The new shape; its product must equal <c>x.Length</c>.</param>
    /// <returns>A view of <paramref name="x"/>'s buffer; disposing it frees nothing, and it reports disposed once <paramref name="x"/>'s owner frees it.</returns>
    /// <remarks>Backward: dx = g reshaped to x's shape.</remarks>
    /// <exception cref="ArgumentException">More than one −1, a negative or zero extent, or a product that differs from <c>x.Length</c>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        TensorChecks.Live(nameof(Reshape), x, nameof(x));
        var resolved = ShapeMath.ResolveReshape([.. x.Shape], shape);
        var view = Tensor.ViewOf(x, 0, resolved);
        return Finish(nameof(Reshape), view, [x], [], (g, _) => [g.CopyAs([.. x.Shape])]);
    }

    /// <summary>A view of rows <c>[start, start + count)</c> of a matrix (no copy), like <c>x[start:start+count]</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="start">The first row.</param>
    /// <param name="count">How many rows, at least 1.</param>
    /// <returns>A (count, cols) view of <paramref name="x"/>'s buffer; disposing it frees nothing.</returns>
    /// <remarks>Backward: dx is zero outside the rows and g inside them.</remarks>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the rows.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Rows(Tensor x, int start, int count)
    {
        TensorChecks.Rank(nameof(Rows), x, nameof(x), 2);
        int rows = x.Shape[0], cols = x.Shape[1];
        if (start < 0 || count < 1 || start > rows - count)
        {
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Rows: rows [{start}, {(long)start + count}) do not lie within the {rows} rows of a {x.ShapeText} tensor (count must be at least 1).");
        }

        var view = Tensor.ViewOf(x, start * cols, [count, cols]);
        return Finish(nameof(Rows), view, [x], [], (g, _) =>
        [
            Fresh(x.Device, [rows, cols], dx =>
            {
                using var scope = dx.Device.Lock();
                dx.View.MemSetToZero();
                g.View.CopyTo(dx.View.SubView(start * cols, count * cols));
            }),
        ]);
    }

    /// <summary>A copy of <paramref name="x"/> in a new buffer, like <c>tf.identity</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Clone(Tensor x)
    {
        TensorChecks.Live(nameof(Clone), x, nameof(x));
        return Finish(nameof(Clone), x.CopyAs([.. x.Shape]), [x], [], (g, _) => [Copy(g)]);
    }

    /// <summary>The transpose of a matrix, like <c>tf.transpose</c>: a copy, so it owns its buffer.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <returns>(cols, rows).</returns>
    /// <remarks>
    /// Backward: dx = gᵀ. To multiply by a transpose, <see cref="MatMul"/>'s <c>transposeA</c>/<c>transposeB</c>
    /// read through strides instead and copy nothing.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Transpose(Tensor x)
    {
        TensorChecks.Rank(nameof(Transpose), x, nameof(x), 2);
        int rows = x.Shape[0], cols = x.Shape[1];
        return Compute(nameof(Transpose), x.Device, [cols, rows], y => ShapeKernels.Transpose(x, y, rows, cols), [x],
            _ => (g, _) => [Fresh(x.Device, [rows, cols], dx => ShapeKernels.Transpose(g, dx, cols, rows))]);
    }
}
