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
        TensorChecks.Rank(nameof(LogSoftmax), x, nameof(x), 2);
        return Compute(nameof(LogSoftmax), x.Device, [.. x.Shape], y => SoftmaxKernels.LogSoftmax(x, y), [x],
            y => (g, _) => [Fresh(x.Device, [.. x.Shape], dx => SoftmaxKernels.LogSoftmaxBackward(g, y, dx))], savesResult: true);
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
        TensorChecks.Rank(op, logits, nameof(logits), 2);
        TensorChecks.Labels(op, logits, labels);
        return CrossEntropy(op, logits, (loss, dlogits) => SoftmaxKernels.Sparse(logits, labels, loss, dlogits, 1f));
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
        TensorChecks.Rank(op, logits, nameof(logits), 2);
        TensorChecks.Live(op, targets, nameof(targets));
        if (targets.Rank <= 2 && targets.Shape.Count > 0 && targets.Shape[0] == logits.Shape[0] && targets.Length == logits.Shape[0] && logits.Shape[1] > 1)
        {
            // The tutorial's own mistake: integer labels reshaped into an (n, 1) float column, which TensorFlow
            // broadcasts into nonsense targets. Say what was meant.
            throw new ArgumentException(
                $"{op}: logits has shape {logits.ShapeText} but targets has shape {targets.ShapeText}; they must match. These targets look like one "
                + $"class label per example. Dense targets are one row of {logits.Shape[1]} probabilities per example (one-hot rows: Ops.OneHot(labels)); "
                + "for integer labels use SoftmaxCrossEntropy(logits, Labels), the sparse form (tf.nn.sparse_softmax_cross_entropy_with_logits).",
                nameof(targets));
        }

        TensorChecks.SameShape(op, logits, nameof(logits), targets, nameof(targets));
        return CrossEntropy(op, logits, (loss, dlogits) => SoftmaxKernels.Dense(logits, targets, loss, dlogits, 1f));
    }

    /// <summary>
    /// Runs a fused cross-entropy kernel: the per-row loss always, and <c>dlogits</c> (what the backward rule
    /// scales by the upstream gradient) only when a tape will record the operation.
    /// </summary>
    private static Tensor CrossEntropy(string op, Tensor logits, Action<Tensor, Tensor?> kernel)
    {
        Tensor? dlogits = OpContext.WillRecord([logits]) ? Tensor.Uninitialized(logits.Device, [.. logits.Shape]) : null;
        Tensor loss;
        try
        {
            loss = Tensor.Uninitialized(logits.Device, [logits.Shape[0]]);
        }
        catch
        {
            dlogits?.Release();
            throw;
        }

        try
        {
            kernel(loss, dlogits);
        }
        catch
        {
            loss.Release();
            dlogits?.Release();
            throw;
        }

        BackwardRule backward = (g, _) =>
            [Fresh(logits.Device, [.. logits.Shape], dx => ElementwiseKernels.ScaleRows(dlogits!, g, dx))];
        return Finish(op, loss, [logits], [], backward, dlogits);
    }
}
