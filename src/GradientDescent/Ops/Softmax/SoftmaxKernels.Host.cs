using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradientDescent;

/// <summary>Host versions of the row-wise softmax kernels: the same math and stabilisation, rows split across cores.</summary>
internal static partial class SoftmaxKernels
{
    private static void HostSparse(Tensor logits, Labels labels, Tensor loss, Tensor? dlogits, float scale)
    {
        int cols = logits.ColumnCount;
        if (dlogits is not null && cols <= 2 * Vector256<float>.Count && Avx.IsSupported)
        {
            HostParallel.For(logits.RowCount, 8L * cols, (first, last) => SparseNarrowRows(logits, labels, loss, dlogits, scale, first, last));
            return;
        }

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

    /// <summary>
    /// <see cref="HostSparse"/> for rows of at most 16 classes, each row in two vectors: five
    /// TensorPrimitives calls on a 10-float row cost more than the arithmetic (64×10 took 5.3 µs).
    /// Lanes past the row are loaded masked (nothing past it is read) as −∞, so they add exp(−∞) = 0.
    /// Compiled optimised at once: at tier 0 the inlined <see cref="Vector256.Exp(Vector256{float})"/> took 150 ns, not 14.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SparseNarrowRows(Tensor logits, Labels labels, Tensor loss, Tensor dlogits, float scale, int first, int last)
    {
        int cols = logits.ColumnCount;
        float* x = HostMemory.Pointer(logits);
        float* dx = HostMemory.Pointer(dlogits);
        float* l = HostMemory.Pointer(loss);
        var y = HostMemory.Span(labels);
        var lane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        var lowMask = Vector256.LessThan(lane, Vector256.Create((float)cols));
        var highMask = Vector256.LessThan(lane, Vector256.Create((float)(cols - 8)));
        var negativeInfinity = Vector256.Create(float.NegativeInfinity);
        for (int r = first; r < last; r++)
        {
            float* row = x + ((long)r * cols);
            float* grad = dx + ((long)r * cols);
            int label = y[r];
            float picked = row[label];
            var low = Vector256.ConditionalSelect(lowMask, Avx.MaskLoad(row, lowMask), negativeInfinity);
            var high = Vector256.ConditionalSelect(highMask, Avx.MaskLoad(row + 8, highMask), negativeInfinity);
            float max = HorizontalMax(Vector256.Max(low, high));
            var max8 = Vector256.Create(max);
            low = Vector256.Exp(low - max8);
            high = Vector256.Exp(high - max8);
            float sum = Vector256.Sum(low + high);
            var factor = Vector256.Create(scale / sum);
            Avx.MaskStore(grad, lowMask, low * factor);
            Avx.MaskStore(grad + 8, highMask, high * factor);
            grad[label] -= scale;
            l[r] = max + MathF.Log(sum) - picked;
        }
    }

    private static float HorizontalMax(Vector256<float> v)
    {
        var half = Vector128.Max(v.GetLower(), v.GetUpper());
        half = Vector128.Max(half, Vector128.Shuffle(half, Vector128.Create(2, 3, 0, 1)));
        half = Vector128.Max(half, Vector128.Shuffle(half, Vector128.Create(1, 0, 3, 2)));
        return half.ToScalar();
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
