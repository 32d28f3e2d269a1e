using System.Numerics.Tensors;

namespace GradientDescent.Kernels.Host;

/// <summary>Host versions of the elementwise kernels, bias + ReLU, and the SGD update, on TensorPrimitives.</summary>
/// <remarks>These are memory-bound: one vectorised pass on the calling thread beats waking the other core below a few MB.</remarks>
internal static class HostElementwise
{
    internal static void Fill(Tensor y, float value) => HostMemory.Span(y).Fill(value);

    internal static void Scale(Tensor x, float s, Tensor y) =>
        TensorPrimitives.Multiply(HostMemory.Span(x), s, HostMemory.Span(y));

    internal static void AddScaled(Tensor a, float alpha, Tensor b, Tensor y)
    {
        if (alpha == 1f)
        {
            TensorPrimitives.Add(HostMemory.Span(a), HostMemory.Span(b), HostMemory.Span(y));
        }
        else
        {
            // y = b·alpha + a
            TensorPrimitives.MultiplyAdd(HostMemory.Span(b), alpha, HostMemory.Span(a), HostMemory.Span(y));
        }
    }

    internal static void BroadcastScalar(Tensor s, float factor, Tensor y) =>
        HostMemory.Span(y).Fill(factor * HostMemory.Span(s)[0]);

    internal static void Sgd(Tensor w, Tensor g, float learningRate)
    {
        var weights = HostMemory.Span(w);
        TensorPrimitives.MultiplyAdd(HostMemory.Span(g), -learningRate, weights, weights);
    }

    internal static void BiasRelu(Tensor x, Tensor? b, Tensor y, bool relu)
    {
        var input = HostMemory.Span(x);
        var output = HostMemory.Span(y);
        int columns = x.ColumnCount;
        ReadOnlySpan<float> bias = b is null ? default : HostMemory.Span(b);
        for (int start = 0; start < input.Length; start += columns)
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
    }

    internal static void ReluBackward(Tensor dy, Tensor y, Tensor dx)
    {
        var gradient = HostMemory.Span(dy);
        var output = HostMemory.Span(y);
        var result = HostMemory.Span(dx);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = output[i] > 0f ? gradient[i] : 0f;
        }
    }
}
