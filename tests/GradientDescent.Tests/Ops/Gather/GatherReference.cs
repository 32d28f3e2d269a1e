namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary><c>y[i] = x[rows[i], columns[i]]</c>.</summary>
    /// <param name="x">(height, cols).</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="rows">The row of each element.</param>
    /// <param name="columns">The column of each element.</param>
    /// <returns>y, (k).</returns>
    public static double[] GatherPairs(double[] x, int cols, int[] rows, int[] columns)
    {
        var y = new double[rows.Length];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[(rows[i] * cols) + columns[i]];
        }

        return y;
    }

    /// <summary>Backward of <see cref="GatherPairs"/>: <c>dx[rows[i], columns[i]] += g[i]</c>, 0 where no pair points.</summary>
    /// <param name="g">(k).</param>
    /// <param name="height">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="rows">The row of each element.</param>
    /// <param name="columns">The column of each element.</param>
    /// <returns>dx, (height, cols).</returns>
    public static double[] GatherPairsBackward(double[] g, int height, int cols, int[] rows, int[] columns)
    {
        var dx = new double[height * cols];
        for (int i = 0; i < g.Length; i++)
        {
            dx[(rows[i] * cols) + columns[i]] += g[i];
        }

        return dx;
    }

    /// <summary><c>y[r] = x[r, labels[r]]</c>: each row's entry at its label.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="labels">(rows), each in <c>0..cols−1</c>.</param>
    /// <returns>y, (rows).</returns>
    public static double[] GatherLabels(double[] x, int cols, int[] labels) =>
        GatherPairs(x, cols, [.. Enumerable.Range(0, labels.Length)], labels);

    /// <summary>Backward of <see cref="GatherLabels"/>: <c>dx[r, j] = g[r]</c> where j = labels[r], else 0.</summary>
    /// <param name="g">(rows).</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="labels">(rows).</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] GatherLabelsBackward(double[] g, int cols, int[] labels) =>
        GatherPairsBackward(g, labels.Length, cols, [.. Enumerable.Range(0, labels.Length)], labels);
}
