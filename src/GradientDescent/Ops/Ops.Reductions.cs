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
        OpChecks.Live(nameof(Mean), x, nameof(x));
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
        OpChecks.Rank(nameof(ColumnSum), x, nameof(x), 2);
        var y = NewResult(x.Device, x.Shape[1]);
        Kernels.Reductions.ColumnSum(x, y);
        Complete(nameof(ColumnSum), y, [x], (g, _) =>
        {
            var dx = Tensor.Zeros(x.Device, [.. x.Shape]);
            Kernels.BiasRelu.Forward(dx, g, dx, relu: false);
            return [dx];
        });
        return y;
    }

    /// <summary>The index of the largest element of each row (the first on ties), like <c>tf.argmax(x, axis=1)</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <returns>rows indices, copied to the host.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static int[] ArgMax(Tensor x)
    {
        OpChecks.Rank(nameof(ArgMax), x, nameof(x), 2);
        return Kernels.Reductions.ArgMax(x);
    }

    /// <summary>The fraction of rows whose argmax equals the label.</summary>
    /// <param name="logits">(rows, classes).</param>
    /// <param name="labels">rows labels.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException">Logits are not a matrix, or the labels do not match them.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static float Accuracy(Tensor logits, Labels labels)
    {
        OpChecks.Rank(nameof(Accuracy), logits, nameof(logits), 2);
        OpChecks.Labels(nameof(Accuracy), logits, labels);
        using var correct = Tensor.Uninitialized(logits.Device, [logits.Shape[0]]);
        using var total = Tensor.Uninitialized(logits.Device, [1]);
        Kernels.Reductions.Correct(logits, labels, correct);
        Kernels.Reductions.Total(correct, total, 1f / logits.Shape[0]);
        return total.Item();
    }

    private static Tensor Total(string op, Tensor x, float scale)
    {
        OpChecks.Live(op, x, nameof(x));
        var y = NewResult(x.Device);
        Kernels.Reductions.Total(x, y, scale);
        Complete(op, y, [x], (g, _) =>
        {
            var dx = Tensor.Uninitialized(x.Device, [.. x.Shape]);
            Kernels.Elementwise.BroadcastScalar(g, scale, dx);
            return [dx];
        });
        return y;
    }
}
