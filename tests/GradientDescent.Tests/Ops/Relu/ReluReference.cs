namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary><c>y[r, j] = x[r, j] + b[j]</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="b">(cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>y, (rows, cols).</returns>
    public static double[] AddBias(double[] x, double[] b, int rows, int cols)
    {
        var y = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                y[(r * cols) + j] = x[(r * cols) + j] + b[j];
            }
        }

        return y;
    }

    /// <summary>Backward of <see cref="AddBias"/>: <c>dx = g</c>, <c>db[j] = Σᵣ g[r, j]</c>.</summary>
    /// <param name="g">(rows, cols).</param>
    /// <param name="rows">Rows of g.</param>
    /// <param name="cols">Columns of g.</param>
    /// <returns>dx (rows, cols) and db (cols).</returns>
    public static (double[] DX, double[] DB) AddBiasBackward(double[] g, int rows, int cols) =>
        ([.. g], ColumnSum(g, rows, cols));

    /// <summary><c>y = max(x, 0)</c> elementwise.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>y, the shape of x.</returns>
    public static double[] Relu(double[] x) => [.. x.Select(v => v > 0 ? v : 0)];

    /// <summary>Backward of <see cref="Relu"/>: <c>dx = g</c> where <c>x &gt; 0</c>, else 0 (the subgradient 0 at x = 0).</summary>
    /// <param name="x">The forward input, any shape.</param>
    /// <param name="g">The shape of x.</param>
    /// <returns>dx, the shape of x.</returns>
    public static double[] ReluBackward(double[] x, double[] g)
    {
        var dx = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            dx[i] = x[i] > 0 ? g[i] : 0;
        }

        return dx;
    }

    /// <summary><c>y[r, j] = max(x[r, j] + b[j], 0)</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="b">(cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>y, (rows, cols).</returns>
    public static double[] AddBiasRelu(double[] x, double[] b, int rows, int cols) => Relu(AddBias(x, b, rows, cols));

    /// <summary>
    /// Backward of <see cref="AddBiasRelu"/>: with <c>dz = g</c> where <c>x + b &gt; 0</c> else 0,
    /// <c>dx = dz</c> and <c>db[j] = Σᵣ dz[r, j]</c>.
    /// </summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="b">(cols).</param>
    /// <param name="g">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>dx (rows, cols) and db (cols).</returns>
    public static (double[] DX, double[] DB) AddBiasReluBackward(double[] x, double[] b, double[] g, int rows, int cols)
    {
        var dz = ReluBackward(AddBias(x, b, rows, cols), g);
        return (dz, ColumnSum(dz, rows, cols));
    }
}
