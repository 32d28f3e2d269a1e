using System.Numerics.Tensors;
using ILGPU.Algorithms;

namespace GradientDescent;

/// <summary>
/// The arithmetic of one elementwise function <c>y = f(a, b)</c> and its partial derivatives: scalar forms for
/// the ILGPU kernels, span forms (span∘span, span∘scalar, scalar∘span, as broadcasting needs) for the host.
/// </summary>
internal interface IBinaryFunction
{
    /// <summary>f(a, b), on the device.</summary>
    float Apply(float a, float b);

    /// <summary>∂f/∂a, given y = f(a, b).</summary>
    float DerivativeA(float a, float b, float y);

    /// <summary>∂f/∂b, given y = f(a, b).</summary>
    float DerivativeB(float a, float b, float y);

    /// <summary>y = f(a, b) for a chunk of equal-length spans, on the host.</summary>
    void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y);

    /// <summary>y = f(a, b) with b one value repeated.</summary>
    void Apply(ReadOnlySpan<float> a, float b, Span<float> y);

    /// <summary>y = f(a, b) with a one value repeated.</summary>
    void Apply(float a, ReadOnlySpan<float> b, Span<float> y);
}

/// <summary><c>a + b</c>.</summary>
internal readonly struct AddFunction : IBinaryFunction
{
    public float Apply(float a, float b) => a + b;

    public float DerivativeA(float a, float b, float y) => 1f;

    public float DerivativeB(float a, float b, float y) => 1f;

    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(a, b, y);

    public void Apply(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Add(a, b, y);

    public void Apply(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(b, a, y);
}

/// <summary><c>a − b</c>.</summary>
internal readonly struct SubtractFunction : IBinaryFunction
{
    public float Apply(float a, float b) => a - b;

    public float DerivativeA(float a, float b, float y) => 1f;

    public float DerivativeB(float a, float b, float y) => -1f;

    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Subtract(a, b, y);

    public void Apply(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Subtract(a, b, y);

    public void Apply(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Subtract(a, b, y);
}

/// <summary><c>a·b</c>.</summary>
internal readonly struct MultiplyFunction : IBinaryFunction
{
    public float Apply(float a, float b) => a * b;

    public float DerivativeA(float a, float b, float y) => b;

    public float DerivativeB(float a, float b, float y) => a;

    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Multiply(a, b, y);

    public void Apply(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Multiply(a, b, y);

    public void Apply(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Multiply(b, a, y);
}

/// <summary><c>a / b</c>; ∂/∂a = 1/b, ∂/∂b = −a/b² = −y/b.</summary>
internal readonly struct DivideFunction : IBinaryFunction
{
    public float Apply(float a, float b) => a / b;

    public float DerivativeA(float a, float b, float y) => 1f / b;

    public float DerivativeB(float a, float b, float y) => -y / b;

    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Divide(a, b, y);

    public void Apply(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Divide(a, b, y);

    public void Apply(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Divide(a, b, y);
}

/// <summary>
/// <c>max(a, b)</c>, NaN propagating as in NumPy and PyTorch. The gradient goes to a where a ≥ b and to b
/// where b &gt; a: at a tie all of it to a, as TensorFlow's <c>maximum</c> does.
/// </summary>
internal readonly struct MaximumFunction : IBinaryFunction
{
    public float Apply(float a, float b) => a >= b || XMath.IsNaN(a) ? a : b;

    public float DerivativeA(float a, float b, float y) => a >= b ? 1f : 0f;

    public float DerivativeB(float a, float b, float y) => a >= b ? 0f : 1f;

    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Max(a, b, y);

    public void Apply(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Max(a, b, y);

    public void Apply(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Max(b, a, y);
}

/// <summary><c>min(a, b)</c>, NaN propagating; the gradient goes to a where a ≤ b, else to b.</summary>
internal readonly struct MinimumFunction : IBinaryFunction
{
    public float Apply(float a, float b) => a <= b || XMath.IsNaN(a) ? a : b;

    public float DerivativeA(float a, float b, float y) => a <= b ? 1f : 0f;

    public float DerivativeB(float a, float b, float y) => a <= b ? 0f : 1f;

    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Min(a, b, y);

    public void Apply(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Min(a, b, y);

    public void Apply(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Min(b, a, y);
}

/// <summary>
/// <c>1 where a = b, else 0</c>: the mask that routes a maximum's gradient to the elements that reached it.
/// Not differentiable (its derivatives are taken as 0); used inside backward rules only.
/// </summary>
internal readonly struct EqualFunction : IBinaryFunction
{
    public float Apply(float a, float b) => a == b ? 1f : 0f;

    public float DerivativeA(float a, float b, float y) => 0f;

    public float DerivativeB(float a, float b, float y) => 0f;

    public void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = a[i] == b[i] ? 1f : 0f;
        }
    }

    public void Apply(ReadOnlySpan<float> a, float b, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = a[i] == b ? 1f : 0f;
        }
    }

    public void Apply(float a, ReadOnlySpan<float> b, Span<float> y) => Apply(b, a, y);
}
