using System.Numerics.Tensors;

namespace GradientDescent;

/// <summary>Host versions of the reductions; each in a fixed order, so results repeat bit for bit.</summary>
internal static partial class ReductionKernels
{
    private static void HostTotal(Tensor x, Tensor y, float scale) =>
        HostMemory.Span(y)[0] = scale * TensorPrimitives.Sum(HostMemory.Span(x));

    /// <summary>
    /// Adds rows into the result one after another, vectorised across columns; columns split across cores,
    /// so each sum keeps the row order of the ILGPU kernel.
    /// </summary>
    private static void HostColumnSum(Tensor x, Tensor y)
    {
        int cols = x.ColumnCount;
        int rows = x.Length / cols;
        HostParallel.For(cols, rows, (first, last) =>
        {
            var input = HostMemory.Span(x);
            var sums = HostMemory.Span(y).Slice(first, last - first);
            input.Slice(first, last - first).CopyTo(sums);
            for (int start = cols; start < input.Length; start += cols)
            {
                TensorPrimitives.Add(sums, input.Slice(start + first, last - first), sums);
            }
        });
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
            flags[r] = FirstMax(input.Slice(r * cols, cols)) == y[r] ? 1f : 0f;
        }
    }

    /// <summary>
    /// The first index of the row maximum under plain <c>&gt;</c>, exactly as the ILGPU kernel: −0 ties
    /// +0 and NaN never wins (TensorPrimitives.IndexOfMax ranks +0 above −0 and returns NaN's index).
    /// </summary>
    private static int FirstMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        float bestValue = row[0];
        for (int j = 1; j < row.Length; j++)
        {
            if (row[j] > bestValue)
            {
                best = j;
                bestValue = row[j];
            }
        }

        return best;
    }
}
