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
        OpChecks.Live(nameof(Scale), x, nameof(x));
        OpChecks.Finite(nameof(Scale), s, nameof(s));
        var y = NewResult(x.Device, [.. x.Shape]);
        Kernels.Elementwise.Scale(x, s, y);
        Complete(nameof(Scale), y, [x], (g, _) => [Scaled(g, s)]);
        return y;
    }

    private static Tensor Combine(string op, Tensor a, Tensor b, float alpha)
    {
        OpChecks.SameShape(op, a, nameof(a), b, nameof(b));
        var y = NewResult(a.Device, [.. a.Shape]);
        Kernels.Elementwise.AddScaled(a, alpha, b, y);
        Complete(op, y, [a, b], (g, needed) =>
        [
            needed[0] ? g.Clone() : null,
            needed[1] ? (alpha == 1f ? g.Clone() : Scaled(g, alpha)) : null,
        ]);
        return y;
    }
}
