namespace GradientDescent.Tests;

/// <summary>The broadcasting binary operations, by name, as the reference takes them.</summary>
public enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Maximum,
    Minimum,
}

public static partial class ReferenceOps
{
    /// <summary>
    /// NumPy's broadcast shape of two shapes of rank ≤ 2: aligned at the last dimension, each pair of extents
    /// equal or one of them 1.
    /// </summary>
    /// <param name="a">The first shape.</param>
    /// <param name="b">The second shape.</param>
    /// <returns>The broadcast shape, of the larger rank.</returns>
    public static int[] BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (int d = 1; d <= rank; d++)
        {
            int x = d <= a.Length ? a[^d] : 1;
            int y = d <= b.Length ? b[^d] : 1;
            if (x != y && x != 1 && y != 1)
            {
                throw new ArgumentException($"shapes ({string.Join(", ", a)}) and ({string.Join(", ", b)}) do not broadcast");
            }

            shape[rank - d] = Math.Max(x, y);
        }

        return shape;
    }

    /// <summary>
    /// <c>y[r, c] = f(a[r', c'], b[r″, c″])</c> where each operand's index is 0 along a dimension it has extent 1 in
    /// (or lacks): broadcasting by index arithmetic over the (rows, cols) view of the output.
    /// </summary>
    /// <param name="op">The function f.</param>
    /// <param name="a">a, row-major, of shape <paramref name="aShape"/>.</param>
    /// <param name="aShape">Rank ≤ 2.</param>
    /// <param name="b">b, row-major, of shape <paramref name="bShape"/>.</param>
    /// <param name="bShape">Rank ≤ 2, broadcasting with <paramref name="aShape"/>.</param>
    /// <returns>y, of <see cref="BroadcastShape"/>.</returns>
    public static double[] Broadcast(BinaryOp op, double[] a, int[] aShape, double[] b, int[] bShape)
    {
        var (rows, cols) = AsMatrix(BroadcastShape(aShape, bShape));
        var y = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                y[(r * cols) + c] = Apply(op, a[Index(aShape, r, c)], b[Index(bShape, r, c)]);
            }
        }

        return y;
    }

    /// <summary>
    /// Backward of <see cref="Broadcast"/>: <c>da[i] = Σ g[r, c]·∂f/∂a</c> over every output (r, c) that read a[i],
    /// so over the dimensions a was broadcast along; the same for b.
    /// </summary>
    /// <param name="op">The function f.</param>
    /// <param name="a">As for <see cref="Broadcast"/>.</param>
    /// <param name="aShape">a's shape.</param>
    /// <param name="b">As for <see cref="Broadcast"/>.</param>
    /// <param name="bShape">b's shape.</param>
    /// <param name="g">The upstream gradient, of the broadcast shape.</param>
    /// <returns>da (a's shape) and db (b's shape).</returns>
    public static (double[] DA, double[] DB) BroadcastBackward(BinaryOp op, double[] a, int[] aShape, double[] b, int[] bShape, double[] g)
    {
        var (rows, cols) = AsMatrix(BroadcastShape(aShape, bShape));
        var da = new double[a.Length];
        var db = new double[b.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int i = Index(aShape, r, c), j = Index(bShape, r, c);
                var (pa, pb) = Partials(op, a[i], b[j]);
                da[i] += g[(r * cols) + c] * pa;
                db[j] += g[(r * cols) + c] * pb;
            }
        }

        return (da, db);
    }

    /// <summary>
    /// For each element of an operand, how many output elements read it (1 when it is not broadcast): the number
    /// of terms its gradient sums.
    /// </summary>
    /// <param name="operand">The operand's shape.</param>
    /// <param name="other">The other operand's shape.</param>
    /// <returns>The count of terms.</returns>
    public static int BroadcastTerms(int[] operand, int[] other)
    {
        var (rows, cols) = AsMatrix(BroadcastShape(operand, other));
        var (r, c) = AsMatrix(operand);
        return rows / r * (cols / c);
    }

    /// <summary>Σ |g·∂f/∂operand| over the terms of each operand element's gradient: what its rounding error scales with.</summary>
    /// <param name="op">The function f.</param>
    /// <param name="a">As for <see cref="Broadcast"/>.</param>
    /// <param name="aShape">a's shape.</param>
    /// <param name="b">As for <see cref="Broadcast"/>.</param>
    /// <param name="bShape">b's shape.</param>
    /// <param name="g">The upstream gradient.</param>
    /// <returns>The scales of da and of db.</returns>
    public static (double[] DA, double[] DB) BroadcastBackwardScale(BinaryOp op, double[] a, int[] aShape, double[] b, int[] bShape, double[] g)
    {
        var (rows, cols) = AsMatrix(BroadcastShape(aShape, bShape));
        var da = new double[a.Length];
        var db = new double[b.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int i = Index(aShape, r, c), j = Index(bShape, r, c);
                var (pa, pb) = Partials(op, a[i], b[j]);
                da[i] += Math.Abs(g[(r * cols) + c] * pa);
                db[j] += Math.Abs(g[(r * cols) + c] * pb);
            }
        }

        return (da, db);
    }

    private static double Apply(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Subtract => a - b,
        BinaryOp.Multiply => a * b,
        BinaryOp.Divide => a / b,
        // NaN propagates from either side (NumPy's maximum and minimum).
        BinaryOp.Maximum => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : a >= b ? a : b,
        BinaryOp.Minimum => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : a <= b ? a : b,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>(∂f/∂a, ∂f/∂b) at (a, b); for maximum and minimum a tie's gradient goes to a (TensorFlow's rule).</summary>
    private static (double A, double B) Partials(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => (1, 1),
        BinaryOp.Subtract => (1, -1),
        BinaryOp.Multiply => (b, a),
        BinaryOp.Divide => (1 / b, -a / (b * b)),
        BinaryOp.Maximum => a >= b ? (1, 0) : (0, 1),
        BinaryOp.Minimum => a <= b ? (1, 0) : (0, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>Where output (r, c) reads an operand of this shape: index 0 along an extent of 1 or a missing dimension.</summary>
    private static int Index(int[] shape, int r, int c)
    {
        var (rows, cols) = AsMatrix(shape);
        return ((rows == 1 ? 0 : r) * cols) + (cols == 1 ? 0 : c);
    }

    /// <summary>A shape of rank ≤ 2 as (rows, cols): a scalar is 1×1, a vector one row.</summary>
    private static (int Rows, int Cols) AsMatrix(int[] shape) => shape.Length switch
    {
        0 => (1, 1),
        1 => (1, shape[0]),
        2 => (shape[0], shape[1]),
        _ => throw new ArgumentException("rank above 2"),
    };
}
