using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GradientDescent;

/// <summary>Host versions of the reductions; each in a fixed order, so results repeat bit for bit.</summary>
internal static partial class ReductionKernels
{
    private static void HostTotal(Tensor x, Tensor y, float scale) =>
        HostMemory.Span(y)[0] = scale * TensorPrimitives.Sum(HostMemory.Span(x));

    private static void HostRows<TReduction>(Tensor x, Tensor y, int rows, int cols)
        where TReduction : struct, IReduction =>
        HostParallel.For(rows, cols, (first, last) =>
        {
            var input = HostMemory.Span(x);
            var output = HostMemory.Span(y);
            for (int r = first; r < last; r++)
            {
                output[r] = default(TReduction).Reduce(input.Slice(r * cols, cols));
            }
        });

    /// <summary>
    /// Combines rows into the result one after another, vectorised across columns; columns split across cores,
    /// so each result keeps one row order whatever the core count.
    /// </summary>
    private static void HostColumns<TReduction>(Tensor x, Tensor y, int rows, int cols)
        where TReduction : struct, IReduction
    {
        if (typeof(TReduction) == typeof(SumReduction))
        {
            HostColumnSums(x, y, rows, cols);
            return;
        }

        HostParallel.For(cols, rows, (first, last) =>
        {
            var input = HostMemory.Span(x);
            var result = HostMemory.Span(y).Slice(first, last - first);
            input.Slice(first, last - first).CopyTo(result);
            for (int r = 1; r < rows; r++)
            {
                default(TReduction).Accumulate(input.Slice((r * cols) + first, last - first), result);
            }
        });
    }

    /// <summary>
    /// Column sums in the same order as the generic path (row 0, then + row 1, + row 2, …: the same bits), in
    /// runs of whole vectors per core, four rows per pass over the result. A call of TensorPrimitives.Add per
    /// row cost more than its arithmetic: the training step's bias gradients (8000×100 and 8000×10) took
    /// 0.33–0.41 ms and 0.14–0.3 ms, the narrow one split five columns to a core.
    /// </summary>
    private static unsafe void HostColumnSums(Tensor x, Tensor y, int rows, int cols)
    {
        const int Lanes = 8;
        int blocks = (cols + Lanes - 1) / Lanes;
        HostParallel.For(blocks, (long)rows * Lanes, (first, last) =>
            SumColumns(HostMemory.Pointer(x), HostMemory.Pointer(y), rows, cols, first * Lanes, Math.Min(cols, last * Lanes)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumColumns(float* x, float* y, int rows, int cols, int from, int to)
    {
        int width = to - from;
        float* result = y + from;
        new ReadOnlySpan<float>(x + from, width).CopyTo(new Span<float>(result, width));
        int r = 1;
        for (; r + 4 <= rows; r += 4)
        {
            float* p0 = x + ((long)r * cols) + from;
            float* p1 = p0 + cols;
            float* p2 = p1 + cols;
            float* p3 = p2 + cols;
            int j = 0;
            for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
            {
                var v = Vector256.Load(result + j) + Vector256.Load(p0 + j);
                v += Vector256.Load(p1 + j);
                v += Vector256.Load(p2 + j);
                v += Vector256.Load(p3 + j);
                v.Store(result + j);
            }

            for (; j < width; j++)
            {
                result[j] = (((result[j] + p0[j]) + p1[j]) + p2[j]) + p3[j];
            }
        }

        for (; r < rows; r++)
        {
            float* p = x + ((long)r * cols) + from;
            int j = 0;
            for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
            {
                (Vector256.Load(result + j) + Vector256.Load(p + j)).Store(result + j);
            }

            for (; j < width; j++)
            {
                result[j] += p[j];
            }
        }
    }

    private static void HostArgMax(Tensor x, Span<int> index)
    {
        var input = HostMemory.Span(x);
        int cols = x.ColumnCount;
        for (int r = 0; r < index.Length; r++)
        {
            index[r] = FirstMax(input.Slice(r * cols, cols));
        }
    }

    private static void HostCorrect(Tensor x, Labels labels, Tensor correct)
    {
        var input = HostMemory.Span(x);
        var y = HostMemory.Span(labels);
        var flags = HostMemory.Span(correct);
        int cols = x.ColumnCount;
        for (int r = 0; r < flags.Length; r++)
        {
            int best = FirstMax(input.Slice(r * cols, cols));
            flags[r] = best == y[r] && !float.IsNaN(input[(r * cols) + best]) ? 1f : 0f;
        }
    }

    /// <summary>
    /// The first index of the row maximum in <see cref="ArgMaxOrder"/>, exactly as the ILGPU kernel: −0 ties +0,
    /// NaN beats every number and the first NaN wins (TensorPrimitives.IndexOfMax ranks +0 above −0).
    /// </summary>
    private static int FirstMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
        {
            if (ArgMaxOrder.Better(row[j], j, row[best], best))
            {
                best = j;
            }
        }

        return best;
    }
}
