namespace GradientDescent;

public static partial class Ops
{
    /// <summary><c>s·x</c> elementwise.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite factor.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = s·g.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Scale(Tensor x, float s)
    {
        TensorChecks.Live(nameof(Scale), x, nameof(x));
        TensorChecks.Finite(nameof(Scale), s, nameof(s));
        // Written as a user writes an op (docs/custom-ops.md): the public CustomOp, its launch and a backward
        // made of public ops. It needs no saved tensor, so in-place writes to x never block its gradient.
        return new CustomOp(nameof(Scale))
            .Forward((launch, y) =>
            {
                if (launch.OnHost)
                {
                    ElementwiseKernels.Scale(x, s, y);   // the multithreaded SIMD version
                    return;
                }

                launch.Run(LaunchShape.Elements(y.Length), ElementwiseKernels.ScaleKernel, launch.View(x), s, launch.View(y), y.Length);
            })
            .Backward((g, _) => [Scale(g, s)], CustomOpSaves.None)
            .Apply(x.Shape, x);
    }

    /// <summary><c>x + s</c> elementwise (the scalar broadcast).</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite scalar.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Add(Tensor x, float s) => Scalar<AddScalarFunction>(nameof(Add), x, s);

    /// <summary><c>x − s</c> elementwise.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite scalar.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Subtract(Tensor x, float s)
    {
        TensorChecks.Finite(nameof(Subtract), s, nameof(s));
        return Scalar<AddScalarFunction>(nameof(Subtract), x, -s);
    }

    /// <summary><c>s − x</c> elementwise.</summary>
    /// <param name="s">A finite scalar.</param>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = −g.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Subtract(float s, Tensor x) => Scalar<ScalarSubtractFunction>(nameof(Subtract), x, s);

    /// <summary><c>x·s</c> elementwise; the same as <see cref="Scale"/>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite factor.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = s·g.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Multiply(Tensor x, float s) => Scalar<MultiplyScalarFunction>(nameof(Multiply), x, s);

    /// <summary><c>x / s</c> elementwise, like <c>tf.reduce_sum(ce) / n</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite, non-zero divisor.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g / s.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is zero, NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Divide(Tensor x, float s)
    {
        if (s == 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, "Divide: the divisor s must not be zero.");
        }

        return Scalar<DivideScalarFunction>(nameof(Divide), x, s);
    }

    /// <summary><c>s / x</c> elementwise; a zero element gives ±∞, as in IEEE arithmetic.</summary>
    /// <param name="s">A finite scalar.</param>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = −g·s / x².</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Divide(float s, Tensor x) => Scalar<ScalarDivideFunction>(nameof(Divide), x, s);

    /// <summary><c>max(x, s)</c> elementwise, like <c>tf.math.maximum(x, 0.)</c>; NaN propagates.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite scalar.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>
    /// Backward, as TensorFlow: dx = g where x ≥ s, else 0 — so <c>Maximum(x, 0)</c> passes the gradient at
    /// x = 0, where <see cref="Relu"/> takes the subgradient 0.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Maximum(Tensor x, float s) => Scalar<MaximumScalarFunction>(nameof(Maximum), x, s);

    /// <summary><c>min(x, s)</c> elementwise; NaN propagates.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">A finite scalar.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g where x ≤ s, else 0.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="s"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Minimum(Tensor x, float s) => Scalar<MinimumScalarFunction>(nameof(Minimum), x, s);

    private static Tensor Scalar<TFunction>(string op, Tensor x, float s)
        where TFunction : struct, IUnaryFunction
    {
        TensorChecks.Live(op, x, nameof(x));
        TensorChecks.Finite(op, s, nameof(s));
        return Unary<TFunction>(op, x, s);
    }
}
