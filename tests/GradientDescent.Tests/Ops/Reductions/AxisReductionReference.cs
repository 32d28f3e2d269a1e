namespace GradientDescent.Tests;

/// <summary>The reductions along an axis, by name, as the reference takes them.</summary>
public enum ReductionKind
{
    Sum,
    Mean,
    Max,
}

public static partial class ReferenceOps
{
    /// <summary>
    /// A reduction of a (rows, cols) matrix along each row (<paramref name="alongRows"/>: a matrix's axis 1, or a whole
    /// vector viewed as one row) or down each column (axis 0): Σ, Σ/n or max, n the reduced extent. A NaN makes its
    /// maximum NaN (NumPy, TensorFlow).
    /// </summary>
    /// <param name="kind">Which reduction.</param>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="alongRows">True: y[r] over j; false: y[j] over r.</param>
    /// <returns>(rows) or (cols).</returns>
    public static double[] ReduceAxis(ReductionKind kind, double[] x, int rows, int cols, bool alongRows)
    {
        int outer = alongRows ? rows : cols, extent = alongRows ? cols : rows;
        var y = new double[outer];
        for (int o = 0; o < outer; o++)
        {
            double sum = 0, max = double.NegativeInfinity;
            for (int e = 0; e < extent; e++)
            {
                double v = x[alongRows ? (o * cols) + e : (e * cols) + o];
                sum += v;
                max = double.IsNaN(v) || double.IsNaN(max) ? double.NaN : Math.Max(max, v);
            }

            y[o] = kind switch
            {
                ReductionKind.Sum => sum,
                ReductionKind.Mean => sum / extent,
                _ => max,
            };
        }

        return y;
    }

    /// <summary>
    /// Backward of <see cref="ReduceAxis"/>: dx = g repeated along the axis (sum), g/n (mean), or for the maximum
    /// g split evenly among the elements equal to it (TensorFlow's rule: g/t for each of t ties, 0 elsewhere; a NaN
    /// maximum equals nothing, so its 0/0 share makes every gradient of that row or column NaN, as TensorFlow's does).
    /// </summary>
    /// <param name="kind">Which reduction.</param>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="alongRows">As for <see cref="ReduceAxis"/>.</param>
    /// <param name="g">(rows) or (cols), the result's shape.</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] ReduceAxisBackward(ReductionKind kind, double[] x, int rows, int cols, bool alongRows, double[] g)
    {
        int outer = alongRows ? rows : cols, extent = alongRows ? cols : rows;
        var max = ReduceAxis(ReductionKind.Max, x, rows, cols, alongRows);
        var dx = new double[rows * cols];
        for (int o = 0; o < outer; o++)
        {
            int ties = 0;
            for (int e = 0; e < extent; e++)
            {
                ties += x[alongRows ? (o * cols) + e : (e * cols) + o] == max[o] ? 1 : 0;
            }

            for (int e = 0; e < extent; e++)
            {
                int i = alongRows ? (o * cols) + e : (e * cols) + o;
                dx[i] = kind switch
                {
                    ReductionKind.Sum => g[o],
                    ReductionKind.Mean => g[o] / extent,
                    _ => (x[i] == max[o] ? 1.0 : 0.0) / ties * g[o],
                };
            }
        }

        return dx;
    }

    /// <summary>Σ|x| along each row or column: the scale of a sum's rounding error.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="alongRows">As for <see cref="ReduceAxis"/>.</param>
    /// <returns>(rows) or (cols).</returns>
    public static double[] AbsSumAxis(double[] x, int rows, int cols, bool alongRows) =>
        ReduceAxis(ReductionKind.Sum, Abs(x), rows, cols, alongRows);
}
