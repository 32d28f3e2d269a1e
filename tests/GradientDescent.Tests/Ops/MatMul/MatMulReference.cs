namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary><c>c = op(a)·op(b)</c>.</summary>
    /// <param name="a">(m, k), or (k, m) when <paramref name="transposeA"/>.</param>
    /// <param name="transposeA">Use aᵀ.</param>
    /// <param name="b">(k, n), or (n, k) when <paramref name="transposeB"/>.</param>
    /// <param name="transposeB">Use bᵀ.</param>
    /// <param name="m">Rows of op(a) and c.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of op(b) and c.</param>
    /// <returns>c, (m, n).</returns>
    public static double[] MatMul(double[] a, bool transposeA, double[] b, bool transposeB, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += OpA(a, transposeA, m, k, i, p) * OpB(b, transposeB, k, n, p, j);
                }

                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    /// <summary>
    /// Backward of <see cref="MatMul"/>: <c>d op(a)[i, p] = Σⱼ g[i, j]·op(b)[p, j]</c> and
    /// <c>d op(b)[p, j] = Σᵢ op(a)[i, p]·g[i, j]</c>, each stored in its operand's own layout.
    /// </summary>
    /// <param name="a">As for <see cref="MatMul"/>.</param>
    /// <param name="transposeA">As for <see cref="MatMul"/>.</param>
    /// <param name="b">As for <see cref="MatMul"/>.</param>
    /// <param name="transposeB">As for <see cref="MatMul"/>.</param>
    /// <param name="g">(m, n).</param>
    /// <param name="m">Rows of op(a).</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of op(b).</param>
    /// <returns>da shaped like a, db shaped like b.</returns>
    public static (double[] DA, double[] DB) MatMulBackward(
        double[] a, bool transposeA, double[] b, bool transposeB, double[] g, int m, int k, int n)
    {
        var da = new double[m * k];
        var db = new double[k * n];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                double sum = 0;
                for (int j = 0; j < n; j++)
                {
                    sum += g[(i * n) + j] * OpB(b, transposeB, k, n, p, j);
                }

                da[transposeA ? (p * m) + i : (i * k) + p] = sum;
            }
        }

        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int i = 0; i < m; i++)
                {
                    sum += OpA(a, transposeA, m, k, i, p) * g[(i * n) + j];
                }

                db[transposeB ? (j * k) + p : (p * n) + j] = sum;
            }
        }

        return (da, db);
    }

    /// <summary>The transpose of a (rows, cols) matrix.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>(cols, rows).</returns>
    public static double[] Transpose(double[] x, int rows, int cols)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                y[(c * rows) + r] = x[(r * cols) + c];
            }
        }

        return y;
    }

    /// <summary>op(a)[i, p] where op(a) is (m, k).</summary>
    private static double OpA(double[] a, bool transposed, int m, int k, int i, int p) =>
        transposed ? a[(p * m) + i] : a[(i * k) + p];

    /// <summary>op(b)[p, j] where op(b) is (k, n).</summary>
    private static double OpB(double[] b, bool transposed, int k, int n, int p, int j) =>
        transposed ? b[(j * k) + p] : b[(p * n) + j];
}
