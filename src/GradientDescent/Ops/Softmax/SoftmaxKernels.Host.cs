using System.Numerics.Tensors;

namespace GradientDescent;

/// <summary>Host versions of the row-wise softmax kernels: the same math and stabilisation, rows split across cores.</summary>
internal static partial class SoftmaxKernels
{
    private static void HostSparse(Tensor logits, Labels labels, Tensor loss, Tensor? dlogits, float scale)
    {
        int cols = logits.ColumnCount;
        HostParallel.For(logits.RowCount, 8L * cols, (first, last) =>
        {
            var x = HostMemory.Span(logits);
            // Without a gradient to write, the exponentials go to scratch.
            Span<float> dx = dlogits is null ? new float[cols] : HostMemory.Span(dlogits);
            var l = HostMemory.Span(loss);
            var y = HostMemory.Span(labels);
            for (int r = first; r < last; r++)
            {
                var row = x.Slice(r * cols, cols);
                var grad = dlogits is null ? dx : dx.Slice(r * cols, cols);
                int label = y[r];
                float picked = row[label];
                // grad holds exp(x − max) first, then becomes scale·(softmax − onehot); grad may alias row.
                var (max, sum) = ShiftedExp(row, grad);
                TensorPrimitives.Multiply(grad, scale / sum, grad);
                grad[label] -= scale;
                l[r] = max + MathF.Log(sum) - picked;
            }
        });
    }

    private static void HostDense(Tensor logits, Tensor targets, Tensor loss, Tensor? dlogits, float scale)
    {
        int cols = logits.ColumnCount;
        HostParallel.For(logits.RowCount, 10L * cols, (first, last) =>
        {
            var x = HostMemory.Span(logits);
            var t = HostMemory.Span(targets);
            Span<float> dx = dlogits is null ? new float[cols] : HostMemory.Span(dlogits);
            var l = HostMemory.Span(loss);
            for (int r = first; r < last; r++)
            {
                var row = x.Slice(r * cols, cols);
                var target = t.Slice(r * cols, cols);
                var grad = dlogits is null ? dx : dx.Slice(r * cols, cols);
                float targetSum = TensorPrimitives.Sum(target);
                float targetDot = TensorPrimitives.Dot(target, row);
                var (max, sum) = ShiftedExp(row, grad);
                TensorPrimitives.Multiply(grad, scale * targetSum / sum, grad);
                TensorPrimitives.MultiplyAdd(target, -scale, grad, grad);
                l[r] = ((max + MathF.Log(sum)) * targetSum) - targetDot;
            }
        });
    }

    private static void HostLogSoftmax(Tensor input, Tensor output)
    {
        int cols = input.ColumnCount;
        HostParallel.For(input.RowCount, 8L * cols, (first, last) =>
        {
            var x = HostMemory.Span(input);
            var y = HostMemory.Span(output);
            for (int r = first; r < last; r++)
            {
                var row = x.Slice(r * cols, cols);
                var result = y.Slice(r * cols, cols);
                var (max, sum) = ShiftedExp(row, result);
                float logSum = max + MathF.Log(sum);
                TensorPrimitives.Subtract(row, logSum, result);
            }
        });
    }

    private static void HostLogSoftmaxBackward(Tensor gradient, Tensor output, Tensor result)
    {
        int cols = output.ColumnCount;
        HostParallel.For(output.RowCount, 8L * cols, (first, last) =>
        {
            var dy = HostMemory.Span(gradient);
            var y = HostMemory.Span(output);
            var dx = HostMemory.Span(result);
            for (int r = first; r < last; r++)
            {
                var g = dy.Slice(r * cols, cols);
                float total = TensorPrimitives.Sum(g);
                var d = dx.Slice(r * cols, cols);
                // dx = g − exp(y)·Σg; computed into d, which may alias g, after Σg is taken.
                TensorPrimitives.Exp(y.Slice(r * cols, cols), d);
                TensorPrimitives.MultiplyAdd(d, -total, g, d);
            }
        });
    }

    /// <summary>
    /// Writes exp(row − max(row)) into <paramref name="result"/> (which may alias the row) and returns the
    /// maximum and the sum of the exponentials: the stable core of every softmax here.
    /// </summary>
    private static (float Max, float Sum) ShiftedExp(ReadOnlySpan<float> row, Span<float> result)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, result);
        TensorPrimitives.Exp(result, result);
        return (max, TensorPrimitives.Sum(result));
    }
}
