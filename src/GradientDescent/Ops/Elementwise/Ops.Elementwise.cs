namespace GradientDescent;

public static partial class Ops
{
    /// <summary><c>a + b</c> elementwise.</summary>
    /// <param name="a">Any shape.</param>
    /// <param name="b">The shape of <paramref name="a"/>.</param>
    /// <returns>The common shape.</returns>
    /// <remarks>Backward: da = g, db = g.</remarks>
    /// <exception cref="ArgumentException">The shapes or devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Add(Tensor a, Tensor b) => Combine(nameof(Add), a, b, 1f);

    /// <summary><c>a − b</c> elementwise.</summary>
    /// <param name="a">Any shape.</param>
    /// <param name="b">The shape of <paramref name="a"/>.</param>
    /// <returns>The common shape.</returns>
    /// <remarks>Backward: da = g, db = −g.</remarks>
    /// <exception cref="ArgumentException">The shapes or devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Subtract(Tensor a, Tensor b) => Combine(nameof(Subtract), a, b, -1f);

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

    private static Tensor Combine(string op, Tensor a, Tensor b, float alpha)
    {
        TensorChecks.SameShape(op, a, nameof(a), b, nameof(b));
        return Compute(op, a.Device, [.. a.Shape], y => ElementwiseKernels.AddScaled(a, alpha, b, y),
            [a, b], _ => (g, needed) =>
            [
                needed[0] ? Copy(g) : null,
                needed[1] ? (alpha == 1f ? Copy(g) : Scaled(g, alpha)) : null,
            ]);
    }
}
