using System.Numerics.Tensors;

namespace GradientDescent;

/// <summary>Host versions of the elementwise kernels, on TensorPrimitives.</summary>
/// <remarks>These are memory-bound: below 64k elements one vectorised pass on the calling thread beats waking another core.</remarks>
internal static partial class ElementwiseKernels
{
    private static void HostFill(Tensor y, float value) =>
        HostParallel.Chunks(y.Length, (from, length) => HostMemory.Span(y).Slice(from, length).Fill(value));

    private static void HostScale(Tensor x, float s, Tensor y) =>
        HostParallel.Chunks(y.Length, (from, length) =>
            TensorPrimitives.Multiply(HostMemory.Span(x).Slice(from, length), s, HostMemory.Span(y).Slice(from, length)));

    private static void HostAddScaled(Tensor a, float alpha, Tensor b, Tensor y) =>
        HostParallel.Chunks(y.Length, (from, length) =>
        {
            var left = HostMemory.Span(a).Slice(from, length);
            var right = HostMemory.Span(b).Slice(from, length);
            var result = HostMemory.Span(y).Slice(from, length);
            if (alpha == 1f)
            {
                TensorPrimitives.Add(left, right, result);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(right, alpha, left, result);   // y = b·alpha + a
            }
        });

    private static void HostBroadcastScalar(Tensor s, float factor, Tensor y)
    {
        float value = factor * HostMemory.Span(s)[0];
        HostParallel.Chunks(y.Length, (from, length) => HostMemory.Span(y).Slice(from, length).Fill(value));
    }

    private static void HostScaleRows(Tensor input, Tensor rowFactors, Tensor output)
    {
        var x = HostMemory.Span(input);
        var g = HostMemory.Span(rowFactors);
        var y = HostMemory.Span(output);
        int cols = input.ColumnCount;
        for (int r = 0; r < input.RowCount; r++)
        {
            TensorPrimitives.Multiply(x.Slice(r * cols, cols), g[r], y.Slice(r * cols, cols));
        }
    }
}
