namespace GradientDescent;

public static partial class Ops
{
    /// <summary>The sum of all elements, like <c>tf.reduce_sum(x)</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>A scalar, shape ().</returns>
    /// <remarks>Backward: dx = g broadcast.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Sum(Tensor x) => Total(nameof(Sum), x, 1f);

    /// <summary>The mean of all elements, like <c>tf.reduce_mean(x)</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>A scalar, shape ().</returns>
    /// <remarks>Backward: dx = g / n broadcast.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Mean(Tensor x)
    {
        // Checked before x.Length is read, so null is an ArgumentNullException, not a NullReferenceException.
        TensorChecks.Live(nameof(Mean), x, nameof(x));
        return Total(nameof(Mean), x, 1f / x.Length);
    }

    /// <summary>Column sums, like <c>tf.reduce_sum(x, axis=0)</c> (the bias gradient of a layer).</summary>
    /// <param name="x">(rows, cols).</param>
    /// <returns>(cols).</returns>
    /// <remarks>Backward: dx[r, j] = g[j].</remarks>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor ColumnSum(Tensor x)
    {
        TensorChecks.Rank(nameof(ColumnSum), x, nameof(x), 2);
        return Compute(nameof(ColumnSum), x.Device, [x.Shape[1]], y => ReductionKernels.ColumnSum(x, y), [x], _ => (g, _) =>
            [Fresh(x.Device, [.. x.Shape], dx => ReluKernels.Forward(Zeroed(dx), g, dx, relu: false))]);
    }

    /// <summary>
    /// The index of the largest element of each row, like <c>torch.argmax(x, dim=1)</c>: the first on ties, and
    /// NaN above every number (the first NaN wins), as in PyTorch.
    /// </summary>
    /// <param name="x">(rows, cols).</param>
    /// <returns>rows indices, copied to the host.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static int[] ArgMax(Tensor x)
    {
        TensorChecks.Rank(nameof(ArgMax), x, nameof(x), 2);
        return ReductionKernels.ArgMax(x);
    }

    /// <summary>
    /// The fraction of rows whose argmax equals the label: the accuracy of a batch of logits. A row holding a
    /// NaN counts as wrong (NaN wins the argmax, and a NaN is no prediction).
    /// </summary>
    /// <param name="logits">(rows, classes).</param>
    /// <param name="labels">rows labels.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException">Logits are not a matrix, or the labels do not match them.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static double Accuracy(Tensor logits, Labels labels)
    {
        TensorChecks.Rank(nameof(Accuracy), logits, nameof(logits), 2);
        TensorChecks.Labels(nameof(Accuracy), logits, labels);
        return (double)CountCorrect(logits, labels) / logits.Shape[0];
    }

    /// <summary>How many rows of <paramref name="logits"/> have their argmax at the label; checked by the caller.</summary>
    internal static long CountCorrect(Tensor logits, Labels labels)
    {
        using var correct = Tensor.Uninitialized(logits.Device, [logits.Shape[0]]);
        using var total = Tensor.Uninitialized(logits.Device, [1]);
        ReductionKernels.Correct(logits, labels, correct);
        ReductionKernels.Total(correct, total, 1f);
        // Flags are 0 or 1, so the float total is exact up to 2^24 rows.
        return (long)total.Item();
    }

    private static Tensor Total(string op, Tensor x, float scale)
    {
        TensorChecks.Live(op, x, nameof(x));
        return Compute(op, x.Device, [], y => ReductionKernels.Total(x, y, scale), [x], _ => (g, _) =>
            [Fresh(x.Device, [.. x.Shape], dx => ElementwiseKernels.BroadcastScalar(g, scale, dx))]);
    }
}
