namespace GradientDescent;

public static partial class Ops
{
    /// <summary>
    /// The elements at (row, column) pairs of a matrix, like NumPy's <c>x[[0, 1], [4, 0]]</c> or
    /// <c>tf.gather_nd(x, [[0, 4], [1, 0]])</c>: <c>y[i] = x[rows[i], columns[i]]</c>.
    /// </summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="rows">The row of each element, each in <c>0..rows−1</c>; at least one.</param>
    /// <param name="columns">The column of each element, each in <c>0..cols−1</c>; as many as <paramref name="rows"/>.</param>
    /// <returns>(k), k the number of pairs.</returns>
    /// <remarks>Backward: dx is zero but for g at the pairs, summed where a pair repeats.</remarks>
    /// <exception cref="ArgumentException">x is not a matrix, the index counts differ or are zero, or an index lies outside (the message gives its position and value).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Gather(Tensor x, ReadOnlySpan<int> rows, ReadOnlySpan<int> columns)
    {
        const string op = nameof(Gather);
        TensorChecks.Rank(op, x, nameof(x), 2);
        if (rows.Length != columns.Length || rows.IsEmpty)
        {
            throw new ArgumentException(
                $"{op}: {rows.Length} rows and {columns.Length} columns given; a gather takes as many of each, at least one.", nameof(columns));
        }

        int height = x.Shape[0], width = x.Shape[1];
        var flat = new int[rows.Length];
        for (int i = 0; i < flat.Length; i++)
        {
            if ((uint)rows[i] >= (uint)height || (uint)columns[i] >= (uint)width)
            {
                throw new ArgumentException(
                    $"{op}: pair {i} is ({rows[i]}, {columns[i]}), outside x of shape {x.ShapeText}.", rows[i] >= height || rows[i] < 0 ? nameof(rows) : nameof(columns));
            }

            flat[i] = (rows[i] * width) + columns[i];
        }

        return Compute(op, x.Device, [flat.Length], y => GatherKernels.Elements(x, flat, y), [x],
            _ => (g, _) => [Fresh(x.Device, [height, width], dx => GatherKernels.ScatterElements(g, ScatterPlan.Of(flat), dx))]);
    }

    /// <summary>
    /// Each row's entry at its label, <c>y[r] = x[r, labels[r]]</c>: the notebook's <c>pred[range(n), labels]</c>
    /// (so <c>-Mean(Gather(LogSoftmax(logits), labels))</c> is the cross-entropy loss).
    /// </summary>
    /// <param name="x">(rows, classes).</param>
    /// <param name="labels">One label per row, for <c>classes</c> classes.</param>
    /// <returns>(rows).</returns>
    /// <remarks>Backward: dx[r, j] = g[r] where j = labels[r], else 0. Labels are constants.</remarks>
    /// <exception cref="ArgumentException">x is not a matrix, or the labels' count or class count does not match it.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Gather(Tensor x, Labels labels)
    {
        TensorChecks.Rank(nameof(Gather), x, nameof(x), 2);
        TensorChecks.Labels(nameof(Gather), x, labels);
        int[] shape = [.. x.Shape];
        return Compute(nameof(Gather), x.Device, [x.Shape[0]], y => GatherKernels.AtLabels(x, labels, y), [x],
            _ => (g, _) => [Fresh(x.Device, shape, dx => GatherKernels.LabelMask(labels, g, dx))]);
    }

    /// <summary>
    /// One-hot rows of labels, like <c>tf.one_hot(labels, classes)</c>: the dense targets
    /// <see cref="SoftmaxCrossEntropy(Tensor, Tensor)"/> takes.
    /// </summary>
    /// <param name="labels">n labels.</param>
    /// <param name="classes">The width of each row; null for the labels' own class count. Not less than it.</param>
    /// <returns>(n, classes), 1 at each row's label and 0 elsewhere; a constant (no gradient).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below the labels' class count.</exception>
    /// <exception cref="ObjectDisposedException">The labels have been disposed.</exception>
    public static Tensor OneHot(Labels labels, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ObjectDisposedException.ThrowIf(labels.IsDisposed, labels);
        int width = classes ?? labels.Classes;
        if (width < labels.Classes)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), width,
                $"OneHot: {width} classes cannot hold labels of {labels.Classes} classes.");
        }

        return Compute(nameof(OneHot), labels.Device, [labels.Count, width], y => GatherKernels.LabelMask(labels, null, y), [],
            _ => (_, _) => []);
    }
}
