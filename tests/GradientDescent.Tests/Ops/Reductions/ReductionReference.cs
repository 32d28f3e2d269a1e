namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary><c>Σᵢ x[i]</c>.</summary>
    /// <param name="x">Any shape, n elements.</param>
    /// <returns>The sum, a scalar.</returns>
    public static double Sum(double[] x) => x.Sum();

    /// <summary>Backward of <see cref="Sum"/>: <c>dx[i] = g</c>.</summary>
    /// <param name="g">The upstream gradient, a scalar.</param>
    /// <param name="n">Elements of x.</param>
    /// <returns>dx, (n).</returns>
    public static double[] SumBackward(double g, int n) => [.. Enumerable.Repeat(g, n)];

    /// <summary><c>Σᵢ x[i] / n</c>.</summary>
    /// <param name="x">Any shape, n elements.</param>
    /// <returns>The mean, a scalar.</returns>
    public static double Mean(double[] x) => x.Sum() / x.Length;

    /// <summary>Backward of <see cref="Mean"/>: <c>dx[i] = g / n</c>.</summary>
    /// <param name="g">The upstream gradient, a scalar.</param>
    /// <param name="n">Elements of x.</param>
    /// <returns>dx, (n).</returns>
    public static double[] MeanBackward(double g, int n) => [.. Enumerable.Repeat(g / n, n)];

    /// <summary><c>y[j] = Σᵣ x[r, j]</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>y, (cols).</returns>
    public static double[] ColumnSum(double[] x, int rows, int cols)
    {
        var y = new double[cols];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                y[j] += x[(r * cols) + j];
            }
        }

        return y;
    }

    /// <summary>Backward of <see cref="ColumnSum"/>: <c>dx[r, j] = g[j]</c>.</summary>
    /// <param name="g">(cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] ColumnSumBackward(double[] g, int rows)
    {
        int cols = g.Length;
        var dx = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(g, 0, dx, r * cols, cols);
        }

        return dx;
    }

    /// <summary>
    /// The index of the largest element of each row; the first on ties (−0 ties +0). NaN counts as larger than every
    /// number (PyTorch's argmax), so the first NaN of a row wins.
    /// </summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>(rows) indices in <c>0..cols−1</c>.</returns>
    public static int[] ArgMax(double[] x, int rows, int cols)
    {
        var index = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int j = 1; j < cols; j++)
            {
                double v = x[(r * cols) + j], b = x[(r * cols) + best];
                if ((double.IsNaN(v) && !double.IsNaN(b)) || v > b)
                {
                    best = j;
                }
            }

            index[r] = best;
        }

        return index;
    }

    /// <summary>The fraction of rows whose <see cref="ArgMax"/> equals the label.</summary>
    /// <param name="x">Logits, (rows, cols).</param>
    /// <param name="labels">(rows).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>A value in [0, 1].</returns>
    public static double Accuracy(double[] x, int[] labels, int rows, int cols)
    {
        var predicted = ArgMax(x, rows, cols);
        int correct = 0;
        for (int r = 0; r < rows; r++)
        {
            correct += predicted[r] == labels[r] ? 1 : 0;
        }

        return (double)correct / rows;
    }
}
