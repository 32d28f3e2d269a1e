namespace GradientDescent;

public static partial class Ops
{
    /// <summary>Sums along one axis, like <c>tf.reduce_sum(x, axis, keepdims)</c>.</summary>
    /// <param name="x">Rank 1 or 2.</param>
    /// <param name="axis">0 (down the columns), 1 (along the rows), or −1 for the last.</param>
    /// <param name="keepDims">Keep the reduced axis with extent 1: (n, 10) summed over −1 is (n, 1), which broadcasts back against (n, 10).</param>
    /// <returns>x's shape without the axis (or with extent 1 there).</returns>
    /// <remarks>Backward: dx = g repeated along the axis.</remarks>
    /// <exception cref="ArgumentException">x is a scalar or has rank above 2.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist (the message gives x's shape).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Sum(Tensor x, int axis, bool keepDims = false) => AlongAxis<SumReduction>(nameof(Sum), x, axis, keepDims, mean: false);

    /// <summary>Means along one axis, like <c>tf.reduce_mean(x, axis, keepdims)</c>.</summary>
    /// <param name="x">Rank 1 or 2.</param>
    /// <param name="axis">0, 1, or −1 for the last.</param>
    /// <param name="keepDims">Keep the reduced axis with extent 1.</param>
    /// <returns>x's shape without the axis (or with extent 1 there).</returns>
    /// <remarks>Backward: dx = g / n repeated along the axis (n its extent).</remarks>
    /// <exception cref="ArgumentException">x is a scalar or has rank above 2.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Mean(Tensor x, int axis, bool keepDims = false) => AlongAxis<SumReduction>(nameof(Mean), x, axis, keepDims, mean: true);

    /// <summary>Maxima along one axis, like <c>tf.reduce_max(x, axis, keepdims)</c>; a NaN makes its maximum NaN.</summary>
    /// <param name="x">Rank 1 or 2.</param>
    /// <param name="axis">0, 1, or −1 for the last.</param>
    /// <param name="keepDims">Keep the reduced axis with extent 1.</param>
    /// <returns>x's shape without the axis (or with extent 1 there).</returns>
    /// <remarks>Backward, as TensorFlow: g goes to the elements equal to their maximum, split evenly among ties.</remarks>
    /// <exception cref="ArgumentException">x is a scalar or has rank above 2.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Max(Tensor x, int axis, bool keepDims = false) => AlongAxis<MaxReduction>(nameof(Max), x, axis, keepDims, mean: false);

    /// <summary>The largest element, like <c>tf.reduce_max(x)</c>; NaN if any element is.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>A scalar, shape ().</returns>
    /// <remarks>Backward: g goes to the elements equal to the maximum, split evenly among ties.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Max(Tensor x)
    {
        TensorChecks.Live(nameof(Max), x, nameof(x));
        return Reduce<MaxReduction>(nameof(Max), x, new AxisReduction(1, x.Length, AlongRows: true, Keep: [], Result: []), mean: false);
    }

    private static Tensor AlongAxis<TReduction>(string op, Tensor x, int axis, bool keepDims, bool mean)
        where TReduction : struct, IReduction
    {
        TensorChecks.Live(op, x, nameof(x));
        return Reduce<TReduction>(op, x, AxisReduction.Of(op, x, axis, keepDims), mean);
    }

    private static Tensor Reduce<TReduction>(string op, Tensor x, AxisReduction r, bool mean)
        where TReduction : struct, IReduction
    {
        bool isMax = typeof(TReduction) == typeof(MaxReduction);
        float scale = mean ? 1f / r.Extent : 1f;
        return Compute(op, x.Device, r.Result, y =>
            {
                if (r.AlongRows)
                {
                    ReductionKernels.Rows<TReduction>(x, y, r.Outer, r.Extent);
                }
                else
                {
                    ReductionKernels.Columns<TReduction>(x, y, r.Extent, r.Outer);
                }

                if (mean)
                {
                    ElementwiseKernels.Scale(y, scale, y);
                }
            },
            [x], y => (g, _) => [isMax ? MaxGradient(x, y, g, r) : Fresh(x.Device, [.. x.Shape], dx =>
            {
                // g viewed with the reduced axis kept (extent 1) broadcasts back along it.
                ElementwiseKernels.Expand(Tensor.ViewOf(g, 0, r.Keep), dx, Broadcast.FromShape(r.Full));
                if (mean)
                {
                    ElementwiseKernels.Scale(dx, scale, dx);
                }
            })],
            isMax ? [SavedTensor.Of("x", x)] : null, savesResult: isMax);
    }

    /// <summary>dx = g·[x = max] / (how many reach the max), for the reduction <paramref name="r"/>.</summary>
    private static Tensor MaxGradient(Tensor x, Tensor max, Tensor g, AxisReduction r)
    {
        var full = Broadcast.FromShape(r.Full);
        var input = Tensor.ViewOf(x, 0, r.Full);
        var maxKept = Tensor.ViewOf(max, 0, r.Keep);
        var gKept = Tensor.ViewOf(g, 0, r.Keep);
        using var mask = Fresh(x.Device, r.Full, m => ElementwiseKernels.Binary<EqualFunction>(input, maxKept, m, full));
        using var ties = Fresh(x.Device, r.Keep, count =>
        {
            if (r.AlongRows)
            {
                ReductionKernels.Rows<SumReduction>(mask, count, r.Outer, r.Extent);
            }
            else
            {
                ReductionKernels.Columns<SumReduction>(mask, count, r.Extent, r.Outer);
            }
        });
        using var share = Fresh(x.Device, r.Keep, s => ElementwiseKernels.Binary<DivideFunction>(gKept, ties, s, Broadcast.FromShape(r.Keep)));
        return Fresh(x.Device, [.. x.Shape], dx => ElementwiseKernels.Binary<MultiplyFunction>(mask, share, dx, full));
    }

    /// <summary>
    /// A reduction of a rank ≤ 2 tensor viewed as a matrix <see cref="Full"/>: along its rows (each of
    /// <see cref="Outer"/> rows reduces <see cref="Extent"/> elements) or down its columns.
    /// </summary>
    private readonly record struct AxisReduction(int Outer, int Extent, bool AlongRows, int[] Keep, int[] Result)
    {
        internal int[] Full => AlongRows ? [Outer, Extent] : [Extent, Outer];

        internal static AxisReduction Of(string op, Tensor x, int axis, bool keepDims)
        {
            if (x.Rank is < 1 or > 2)
            {
                throw new ArgumentException($"{op}: reductions along an axis take a vector or a matrix, but x has shape {x.ShapeText}.", nameof(x));
            }

            int resolved = axis < 0 ? axis + x.Rank : axis;
            if (resolved < 0 || resolved >= x.Rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axis), axis,
                    $"{op}: axis {axis} does not exist for x of shape {x.ShapeText} (valid: {-x.Rank} to {x.Rank - 1}).");
            }

            if (x.Rank == 1)
            {
                return new AxisReduction(1, x.Shape[0], AlongRows: true, Keep: [1], Result: keepDims ? [1] : []);
            }

            int rows = x.Shape[0], cols = x.Shape[1];
            return resolved == 1
                ? new AxisReduction(rows, cols, AlongRows: true, Keep: [rows, 1], Result: keepDims ? [rows, 1] : [rows])
                : new AxisReduction(cols, rows, AlongRows: false, Keep: [1, cols], Result: keepDims ? [1, cols] : [cols]);
        }
    }
}
