using System.Numerics.Tensors;

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
        where TReduction : struct, IReduction =>
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
