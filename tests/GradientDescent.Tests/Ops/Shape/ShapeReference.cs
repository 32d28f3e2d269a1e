namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary>Backward of <see cref="Transpose"/> (in MatMulReference.cs): <c>dx[r, c] = g[c, r]</c>.</summary>
    /// <param name="g">(cols, rows), the output's shape.</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] TransposeBackward(double[] g, int rows, int cols)
    {
        var dx = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                dx[(r * cols) + c] = g[(c * rows) + r];
            }
        }

        return dx;
    }

    /// <summary>Rows <c>[start, start + count)</c> of a matrix, <c>x[start:start+count]</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="start">The first row.</param>
    /// <param name="count">How many rows.</param>
    /// <returns>(count, cols).</returns>
    public static double[] SliceRows(double[] x, int cols, int start, int count) => x[(start * cols)..((start + count) * cols)];

    /// <summary>Backward of <see cref="SliceRows"/>: dx is g in the rows taken and 0 elsewhere.</summary>
    /// <param name="g">(count, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="start">The first row taken.</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] SliceRowsBackward(double[] g, int rows, int cols, int start)
    {
        var dx = new double[rows * cols];
        for (int i = 0; i < g.Length; i++)
        {
            dx[(start * cols) + i] = g[i];
        }

        return dx;
    }
}
