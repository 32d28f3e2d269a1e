using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ILGPU.Algorithms;

namespace GradientDescent;

/// <summary>
/// The arithmetic of one elementwise function <c>y = f(x; s)</c> (s a scalar parameter, unused by most) and of
/// its derivative: the scalar forms run inside the ILGPU kernels, the span forms are the host SIMD kernels.
/// One generic kernel and one generic host loop serve every function.
/// </summary>
internal interface IUnaryFunction
{
    /// <summary>f(x; s), on the device.</summary>
    float Apply(float x, float s);

    /// <summary>∂f/∂x at x, given y = f(x; s) (each function uses whichever is cheaper), on the device.</summary>
    float Derivative(float x, float y, float s);

    /// <summary>y = f(x; s) for a chunk, on the host.</summary>
    void Apply(ReadOnlySpan<float> x, float s, Span<float> y);
}

/// <summary><c>−x</c>.</summary>
internal readonly struct NegateFunction : IUnaryFunction
{
    public float Apply(float x, float s) => -x;

    public float Derivative(float x, float y, float s) => -1f;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Negate(x, y);
}

/// <summary><c>eˣ</c>; derivative y.</summary>
internal readonly struct ExpFunction : IUnaryFunction
{
    public float Apply(float x, float s) => XMath.Exp(x);

    public float Derivative(float x, float y, float s) => y;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Exp(x, y);
}

/// <summary><c>ln x</c>; derivative 1/x. ln 0 = −∞ and ln of a negative is NaN, as in TensorFlow.</summary>
internal readonly struct LogFunction : IUnaryFunction
{
    public float Apply(float x, float s) => XMath.Log(x);

    public float Derivative(float x, float y, float s) => 1f / x;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Log(x, y);
}

/// <summary><c>x²</c>; derivative 2x.</summary>
internal readonly struct SquareFunction : IUnaryFunction
{
    public float Apply(float x, float s) => x * x;

    public float Derivative(float x, float y, float s) => 2f * x;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Multiply(x, x, y);
}

/// <summary><c>√x</c>; derivative 1/(2y).</summary>
internal readonly struct SqrtFunction : IUnaryFunction
{
    public float Apply(float x, float s) => XMath.Sqrt(x);

    public float Derivative(float x, float y, float s) => 0.5f / y;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Sqrt(x, y);
}

/// <summary><c>tanh x</c>; derivative 1 − y².</summary>
internal readonly struct TanhFunction : IUnaryFunction
{
    /// <summary>
    /// Within about 1 ulp below |x| = 0.55 and 3–5 ulp above (exp's error included). XMath.Tanh errs by about u
    /// absolutely, as (e²ˣ − 1)/(e²ˣ + 1) does: near 0 that is a relative error of u/|x| (0.6% at x = 1e-5), where
    /// tanh x ≈ x is known to full precision. So small |x| takes the Taylor series
    /// x + x·Σₖ cₖx²ᵏ (cₖ = 2²ᵏ⁺²(2²ᵏ⁺² − 1)B₂ₖ₊₂/(2k + 2)!, through x¹⁷: its first omitted term is below u/10
    /// of x at 0.55), and larger |x| the form 1 − 2/(e²|ˣ| + 1), which cancels little there (2/(e²|ˣ| + 1) ≤ ½).
    /// Above 9 tanh rounds to ±1 and e²|ˣ| would overflow from 44.
    /// </summary>
    public float Apply(float x, float s)
    {
        float ax = XMath.Abs(x);
        if (ax < 0.55f)
        {
            float x2 = x * x;
            float p = 5.900274e-4f;
            p = (p * x2) - 1.4558344e-3f;
            p = (p * x2) + 3.592128e-3f;
            p = (p * x2) - 8.863236e-3f;
            p = (p * x2) + 2.1869488e-2f;
            p = (p * x2) - 5.3968254e-2f;
            p = (p * x2) + 0.13333334f;
            p = (p * x2) - 0.33333334f;
            return x + (x * (p * x2));
        }

        float y = ax > 9f ? 1f : 1f - (2f / (XMath.Exp(2f * ax) + 1f));
        return x < 0f ? -y : y;
    }

    public float Derivative(float x, float y, float s) => 1f - (y * y);

    /// <summary>
    /// The same two branches eight lanes at a time, both computed and the lane's one kept (TensorPrimitives.Tanh goes
    /// through eˣ − 1 and errs by about u absolutely, so near 0 it loses every digit: System.Numerics.Tensors 10.0.12
    /// on x64 gave tanh 0 = 6e-8 and tanh 1e-30 = −6e-8). The series is evaluated in the scalar form's order, without
    /// fused multiply-adds, so below 0.55 the bits are the scalar form's; above, e²|ˣ| is
    /// <see cref="Vector256.Exp(Vector256{float})"/> instead of XMath.Exp. A 4096×4096 tanh took 114 ms one element at a
    /// time, 5% of the memory bandwidth.
    /// </summary>
    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => Host(x, y);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Host(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var signBit = Vector256.Create(-0f);
            var one = Vector256.Create(1f);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(x.Slice(i, Vector256<float>.Count));
                var ax = Vector256.Abs(v);
                var x2 = v * v;
                var p = Vector256.Create(5.900274e-4f);
                p = (p * x2) - Vector256.Create(1.4558344e-3f);
                p = (p * x2) + Vector256.Create(3.592128e-3f);
                p = (p * x2) - Vector256.Create(8.863236e-3f);
                p = (p * x2) + Vector256.Create(2.1869488e-2f);
                p = (p * x2) - Vector256.Create(5.3968254e-2f);
                p = (p * x2) + Vector256.Create(0.13333334f);
                p = (p * x2) - Vector256.Create(0.33333334f);
                var small = v + (v * (p * x2));
                var large = one - (Vector256.Create(2f) / (Vector256.Exp(ax + ax) + one));
                large = Vector256.ConditionalSelect(Vector256.GreaterThan(ax, Vector256.Create(9f)), one, large) | (v & signBit);
                Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.55f)), small, large)
                    .CopyTo(y.Slice(i, Vector256<float>.Count));
            }
        }

        var scalar = default(TanhFunction);
        for (; i < x.Length; i++)
        {
            y[i] = scalar.Apply(x[i], 0f);
        }
    }
}

/// <summary><c>1/(1 + e⁻ˣ)</c>; derivative y(1 − y).</summary>
internal readonly struct SigmoidFunction : IUnaryFunction
{
    // Through e^(−|x|), so neither branch overflows: for x ≥ 0, 1/(1 + e^−x); for x < 0, e^x/(1 + e^x).
    public float Apply(float x, float s)
    {
        float e = XMath.Exp(-XMath.Abs(x));
        return x >= 0f ? 1f / (1f + e) : e / (1f + e);
    }

    public float Derivative(float x, float y, float s) => y * (1f - y);

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Sigmoid(x, y);
}

/// <summary><c>x + s</c>; derivative 1.</summary>
internal readonly struct AddScalarFunction : IUnaryFunction
{
    public float Apply(float x, float s) => x + s;

    public float Derivative(float x, float y, float s) => 1f;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Add(x, s, y);
}

/// <summary><c>s·x</c>; derivative s.</summary>
internal readonly struct MultiplyScalarFunction : IUnaryFunction
{
    public float Apply(float x, float s) => s * x;

    public float Derivative(float x, float y, float s) => s;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Multiply(x, s, y);
}

/// <summary><c>s / x</c>; derivative −s/x² = −y/x.</summary>
internal readonly struct ScalarDivideFunction : IUnaryFunction
{
    public float Apply(float x, float s) => s / x;

    public float Derivative(float x, float y, float s) => -y / x;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Divide(s, x, y);
}

/// <summary>
/// <c>max(x, s)</c>, NaN propagating as in NumPy and PyTorch; derivative 1 where x ≥ s, else 0: at a tie
/// the gradient goes to x, as TensorFlow's <c>maximum</c> does.
/// </summary>
internal readonly struct MaximumScalarFunction : IUnaryFunction
{
    public float Apply(float x, float s) => x >= s || XMath.IsNaN(x) ? x : s;

    public float Derivative(float x, float y, float s) => x >= s ? 1f : 0f;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Max(x, s, y);
}

/// <summary><c>min(x, s)</c>, NaN propagating; derivative 1 where x ≤ s, else 0.</summary>
internal readonly struct MinimumScalarFunction : IUnaryFunction
{
    public float Apply(float x, float s) => x <= s || XMath.IsNaN(x) ? x : s;

    public float Derivative(float x, float y, float s) => x <= s ? 1f : 0f;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Min(x, s, y);
}

/// <summary><c>x / s</c>; derivative 1/s. A true division, not a product with 1/s, so it rounds as <c>x / s</c> does.</summary>
internal readonly struct DivideScalarFunction : IUnaryFunction
{
    public float Apply(float x, float s) => x / s;

    public float Derivative(float x, float y, float s) => 1f / s;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Divide(x, s, y);
}

/// <summary><c>s − x</c>; derivative −1.</summary>
internal readonly struct ScalarSubtractFunction : IUnaryFunction
{
    public float Apply(float x, float s) => s - x;

    public float Derivative(float x, float y, float s) => -1f;

    public void Apply(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Subtract(s, x, y);
}
