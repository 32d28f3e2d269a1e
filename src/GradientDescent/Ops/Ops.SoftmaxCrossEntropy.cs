namespace GradientDescent;

public static partial class Ops
{
    /// <summary>Row-wise <c>log softmax</c>, like <c>tf.nn.log_softmax</c>: <c>y[r, j] = x[r, j] − log Σₖ exp x[r, k]</c>.</summary>
    /// <param name="x">(rows, classes).</param>
    /// <returns>(rows, classes).</returns>
    /// <remarks>Computed with the row maximum subtracted first. Backward: dx = g − softmax(x)·Σⱼ g.</remarks>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor LogSoftmax(Tensor x)
    {
        OpChecks.Rank(nameof(LogSoftmax), x, nameof(x), 2);
        var y = NewResult(x.Device, [.. x.Shape]);
        Kernels.SoftmaxCrossEntropy.LogSoftmax(x, y);
        Complete(nameof(LogSoftmax), y, [x], (g, _) =>
        {
            var dx = Tensor.Uninitialized(x.Device, [.. x.Shape]);
            Kernels.SoftmaxCrossEntropy.LogSoftmaxBackward(g, y, dx);
            return [dx];
        });
        return y;
    }

    /// <summary>
    /// Per-example softmax cross-entropy with integer labels, like
    /// <c>tf.nn.sparse_softmax_cross_entropy_with_logits</c>: <c>loss[r] = log Σⱼ exp x[r, j] − x[r, label[r]]</c>.
    /// </summary>
    /// <param name="logits">(rows, classes).</param>
    /// <param name="labels">rows labels in <c>0..classes−1</c>.</param>
    /// <returns>(rows).</returns>
    /// <remarks>
    /// One fused, numerically stable kernel computes the loss and its gradient <c>softmax − onehot</c>;
    /// backward scales that gradient's rows by g. Labels are constants (no gradient).
    /// </remarks>
    /// <exception cref="ArgumentException">Logits are not a matrix, or the label count or class count does not match.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, Labels labels)
    {
        const string op = nameof(SoftmaxCrossEntropy);
        OpChecks.Rank(op, logits, nameof(logits), 2);
        OpChecks.Labels(op, logits, labels);
        return CrossEntropy(op, logits, (loss, dlogits) => Kernels.SoftmaxCrossEntropy.Sparse(logits, labels, loss, dlogits, 1f));
    }

    /// <summary>
    /// Per-example softmax cross-entropy with target distributions (one-hot rows), like
    /// <c>tf.nn.softmax_cross_entropy_with_logits</c>: <c>loss[r] = −Σⱼ t[r, j]·log softmax(x[r])[j]</c>.
    /// </summary>
    /// <param name="logits">(rows, classes).</param>
    /// <param name="targets">(rows, classes), each row a distribution (one-hot for hard labels).</param>
    /// <returns>(rows).</returns>
    /// <remarks>Fused like the sparse form; gradient <c>softmax·Σⱼ t − t</c>. Targets are constants (no gradient).</remarks>
    /// <exception cref="ArgumentException">The shapes differ or are not matrices, or different devices.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor targets)
    {
        const string op = nameof(SoftmaxCrossEntropy);
        OpChecks.Rank(op, logits, nameof(logits), 2);
        OpChecks.SameShape(op, logits, nameof(logits), targets, nameof(targets));
        return CrossEntropy(op, logits, (loss, dlogits) => Kernels.SoftmaxCrossEntropy.Dense(logits, targets, loss, dlogits, 1f));
    }

    private static Tensor CrossEntropy(string op, Tensor logits, Action<Tensor, Tensor> kernel)
    {
        var loss = NewResult(logits.Device, logits.Shape[0]);
        var dlogits = Tensor.Uninitialized(logits.Device, [.. logits.Shape]);
        kernel(loss, dlogits);
        bool recorded;
        try
        {
            recorded = Complete(op, loss, [logits], (g, _) =>
            {
                var dx = Tensor.Uninitialized(logits.Device, [.. logits.Shape]);
                Kernels.SoftmaxCrossEntropy.ScaleRows(dlogits, g, dx);
                return [dx];
            });
        }
        catch
        {
            dlogits.Dispose();
            throw;
        }

        if (recorded)
        {
            GradientTape.Adopt(dlogits);
        }
        else
        {
            dlogits.Dispose();
        }

        return loss;
    }
}
