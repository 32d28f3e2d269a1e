using System.Numerics.Tensors;
using ILGPU.Algorithms;

namespace GradientDescent;

/// <summary>How values combine in a reduction: on the device (scalar) and on the host (spans).</summary>
internal interface IReduction
{
    /// <summary>The value that changes nothing: 0 for a sum, −∞ for a maximum.</summary>
    float Identity { get; }

    /// <summary>Combines two partial results.</summary>
    float Combine(float a, float b);

    /// <summary>The reduction of a span, on the host.</summary>
    float Reduce(ReadOnlySpan<float> x);

    /// <summary>acc[j] = Combine(acc[j], row[j]), on the host.</summary>
    void Accumulate(ReadOnlySpan<float> row, Span<float> acc);
}

/// <summary>Σ.</summary>
internal readonly struct SumReduction : IReduction
{
    public float Identity => 0f;

    public float Combine(float a, float b) => a + b;

    public float Reduce(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);

    public void Accumulate(ReadOnlySpan<float> row, Span<float> acc) => TensorPrimitives.Add(acc, row, acc);
}

/// <summary>max, NaN propagating (a NaN anywhere makes the maximum NaN, as in NumPy and TensorFlow).</summary>
internal readonly struct MaxReduction : IReduction
{
    public float Identity => float.NegativeInfinity;

    public float Combine(float a, float b) => XMath.IsNaN(a) || a >= b ? a : b;

    public float Reduce(ReadOnlySpan<float> x) => TensorPrimitives.Max(x);

    public void Accumulate(ReadOnlySpan<float> row, Span<float> acc) => TensorPrimitives.Max(acc, row, acc);
}
