using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace GradientDescent.Kernels.Host;

/// <summary>Host versions of the elementwise kernels, bias + ReLU, and the SGD update, on TensorPrimitives.</summary>
/// <remarks>These are memory-bound: below 64k elements one vectorised pass on the calling thread beats waking another core.</remarks>
internal static class HostElementwise
{
    internal static void Fill(Tensor y, float value) =>
        Chunks(y.Length, (from, length) => HostMemory.Span(y).Slice(from, length).Fill(value));

    internal static void Scale(Tensor x, float s, Tensor y) =>
        Chunks(y.Length, (from, length) =>
            TensorPrimitives.Multiply(HostMemory.Span(x).Slice(from, length), s, HostMemory.Span(y).Slice(from, length)));

    internal static void AddScaled(Tensor a, float alpha, Tensor b, Tensor y) =>
        Chunks(y.Length, (from, length) =>
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

    internal static void BroadcastScalar(Tensor s, float factor, Tensor y)
    {
        float value = factor * HostMemory.Span(s)[0];
        Chunks(y.Length, (from, length) => HostMemory.Span(y).Slice(from, length).Fill(value));
    }

    internal static void Sgd(Tensor w, Tensor g, float learningRate) =>
        Chunks(w.Length, (from, length) =>
        {
            var weights = HostMemory.Span(w).Slice(from, length);
            TensorPrimitives.MultiplyAdd(HostMemory.Span(g).Slice(from, length), -learningRate, weights, weights);
        });

    internal static void BiasRelu(Tensor x, Tensor? b, Tensor y, bool relu)
    {
        int columns = x.ColumnCount;
        HostParallel.For(x.Length / columns, 2L * columns, (first, last) =>
        {
            var input = HostMemory.Span(x);
            var output = HostMemory.Span(y);
            ReadOnlySpan<float> bias = b is null ? default : HostMemory.Span(b);
            for (int start = first * columns; start < last * columns; start += columns)
            {
                var row = output.Slice(start, columns);
                if (b is null)
                {
                    input.Slice(start, columns).CopyTo(row);
                }
                else
                {
                    TensorPrimitives.Add(input.Slice(start, columns), bias, row);
                }

                if (relu)
                {
                    TensorPrimitives.Max(row, 0f, row);
                }
            }
        });
    }

    internal static unsafe void ReluBackward(Tensor dy, Tensor y, Tensor dx) =>
        Chunks(dx.Length, (from, length) =>
        {
            float* gradient = HostMemory.Pointer(dy) + from;
            float* output = HostMemory.Pointer(y) + from;
            float* result = HostMemory.Pointer(dx) + from;
            int i = 0;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                // dx = dy where y > 0: the comparison's all-ones lanes keep dy, the others become +0.
                var keep = Vector256.GreaterThan(Vector256.Load(output + i), Vector256<float>.Zero);
                (Vector256.Load(gradient + i) & keep).Store(result + i);
            }

            for (; i < length; i++)
            {
                result[i] = output[i] > 0f ? gradient[i] : 0f;
            }
        });

    /// <summary>Runs an elementwise body over [0, n) in one contiguous chunk per core once n is large.</summary>
    private static void Chunks(int n, Action<int, int> body) =>
        HostParallel.For(n, 1, (first, last) => body(first, last - first));
}
