namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary>
    /// <c>y[r, j] = x[r, j] − logsumexp(x[r])</c>, with <c>logsumexp(v) = max v + log Σₖ exp(vₖ − max v)</c>
    /// so that no exponential overflows.
    /// </summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns (classes) of x.</param>
    /// <returns>y, (rows, cols).</returns>
    public static double[] LogSoftmax(double[] x, int rows, int cols)
    {
        var y = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double lse = LogSumExp(x, r * cols, cols);
            for (int j = 0; j < cols; j++)
            {
                y[(r * cols) + j] = x[(r * cols) + j] - lse;
            }
        }

        return y;
    }

    /// <summary>Backward of <see cref="LogSoftmax"/>: <c>dx[r, j] = g[r, j] − softmax(x[r])[j]·Σₖ g[r, k]</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="g">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] LogSoftmaxBackward(double[] x, double[] g, int rows, int cols)
    {
        var p = Softmax(x, rows, cols);
        var dx = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double total = 0;
            for (int j = 0; j < cols; j++)
            {
                total += g[(r * cols) + j];
            }

            for (int j = 0; j < cols; j++)
            {
                int i = (r * cols) + j;
                dx[i] = g[i] - (p[i] * total);
            }
        }

        return dx;
    }

    /// <summary><c>softmax(x[r])[j] = exp(x[r, j] − max x[r]) / Σₖ exp(x[r, k] − max x[r])</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>(rows, cols), each row summing to 1.</returns>
    public static double[] Softmax(double[] x, int rows, int cols)
    {
        var p = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            int start = r * cols;
            double max = RowMax(x, start, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                p[start + j] = Math.Exp(x[start + j] - max);
                sum += p[start + j];
            }

            for (int j = 0; j < cols; j++)
            {
                p[start + j] /= sum;
            }
        }

        return p;
    }

    /// <summary>Sparse per-example cross-entropy: <c>loss[r] = logsumexp(x[r]) − x[r, label[r]]</c>.</summary>
    /// <param name="x">Logits, (rows, cols).</param>
    /// <param name="labels">(rows), each in <c>0..cols−1</c>.</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns (classes) of x.</param>
    /// <returns>loss, (rows).</returns>
    public static double[] SoftmaxCrossEntropy(double[] x, int[] labels, int rows, int cols)
    {
        var loss = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            loss[r] = LogSumExp(x, r * cols, cols) - x[(r * cols) + labels[r]];
        }

        return loss;
    }

    /// <summary>
    /// Backward of the sparse <see cref="SoftmaxCrossEntropy(double[], int[], int, int)"/> with respect to the
    /// logits: <c>dx[r, j] = g[r]·(softmax(x[r])[j] − [j = label[r]])</c>. Labels get no gradient.
    /// </summary>
    /// <param name="x">Logits, (rows, cols).</param>
    /// <param name="labels">(rows).</param>
    /// <param name="g">(rows).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] SoftmaxCrossEntropyBackward(double[] x, int[] labels, double[] g, int rows, int cols) =>
        SoftmaxCrossEntropyBackward(x, OneHot(labels, cols), g, rows, cols);

    /// <summary>Dense per-example cross-entropy: <c>loss[r] = Σⱼ t[r, j]·(logsumexp(x[r]) − x[r, j])</c>.</summary>
    /// <param name="x">Logits, (rows, cols).</param>
    /// <param name="targets">(rows, cols); rows need not be one-hot or sum to 1.</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns (classes) of x.</param>
    /// <returns>loss, (rows).</returns>
    public static double[] SoftmaxCrossEntropy(double[] x, double[] targets, int rows, int cols)
    {
        var loss = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double lse = LogSumExp(x, r * cols, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                sum += targets[(r * cols) + j] * (lse - x[(r * cols) + j]);
            }

            loss[r] = sum;
        }

        return loss;
    }

    /// <summary>
    /// Backward of the dense <see cref="SoftmaxCrossEntropy(double[], double[], int, int)"/> with respect to
    /// the logits: <c>dx[r, j] = g[r]·(softmax(x[r])[j]·Σₖ t[r, k] − t[r, j])</c>. Targets get no gradient.
    /// </summary>
    /// <param name="x">Logits, (rows, cols).</param>
    /// <param name="targets">(rows, cols).</param>
    /// <param name="g">(rows).</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <returns>dx, (rows, cols).</returns>
    public static double[] SoftmaxCrossEntropyBackward(double[] x, double[] targets, double[] g, int rows, int cols)
    {
        var p = Softmax(x, rows, cols);
        var dx = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double targetSum = 0;
            for (int j = 0; j < cols; j++)
            {
                targetSum += targets[(r * cols) + j];
            }

            for (int j = 0; j < cols; j++)
            {
                int i = (r * cols) + j;
                dx[i] = g[r] * ((p[i] * targetSum) - targets[i]);
            }
        }

        return dx;
    }

    /// <summary>One-hot rows: <c>t[r, j] = [j = labels[r]]</c>.</summary>
    /// <param name="labels">(rows), each in <c>0..cols−1</c>.</param>
    /// <param name="cols">The number of classes.</param>
    /// <returns>(rows, cols).</returns>
    public static double[] OneHot(int[] labels, int cols)
    {
        var t = new double[labels.Length * cols];
        for (int r = 0; r < labels.Length; r++)
        {
            t[(r * cols) + labels[r]] = 1;
        }

        return t;
    }

    private static double LogSumExp(double[] x, int start, int cols)
    {
        double max = RowMax(x, start, cols);
        double sum = 0;
        for (int j = 0; j < cols; j++)
        {
            sum += Math.Exp(x[start + j] - max);
        }

        return max + Math.Log(sum);
    }

    private static double RowMax(double[] x, int start, int cols)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < cols; j++)
        {
            max = Math.Max(max, x[start + j]);
        }

        return max;
    }
}
