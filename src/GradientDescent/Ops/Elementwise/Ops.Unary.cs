namespace GradientDescent;

public static partial class Ops
{
    /// <summary><c>eˣ</c> elementwise, like <c>tf.math.exp</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g·y. Overflows to +∞ above x ≈ 88.7, as float32 does.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Exp(Tensor x) => Unary<ExpFunction>(nameof(Exp), x, 0f);

    /// <summary><c>ln x</c> elementwise, like <c>tf.math.log</c>: −∞ at 0 and NaN below, as TensorFlow gives.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g / x.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Log(Tensor x) => Unary<LogFunction>(nameof(Log), x, 0f);

    /// <summary><c>−x</c> elementwise, like <c>tf.math.negative</c>; also the unary <c>-</c> operator.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = −g.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Negate(Tensor x) => Unary<NegateFunction>(nameof(Negate), x, 0f);

    /// <summary><c>x²</c> elementwise, like <c>tf.math.square</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = 2x·g.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Square(Tensor x) => Unary<SquareFunction>(nameof(Square), x, 0f);

    /// <summary><c>√x</c> elementwise, like <c>tf.math.sqrt</c>: NaN below 0.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g / (2y), +∞ at x = 0.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Sqrt(Tensor x) => Unary<SqrtFunction>(nameof(Sqrt), x, 0f);

    /// <summary><c>tanh x</c> elementwise, like <c>tf.math.tanh</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>, values in [−1, 1].</returns>
    /// <remarks>Backward: dx = g·(1 − y²).</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Tanh(Tensor x) => Unary<TanhFunction>(nameof(Tanh), x, 0f);

    /// <summary><c>1 / (1 + e⁻ˣ)</c> elementwise, like <c>tf.math.sigmoid</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>, values in [0, 1].</returns>
    /// <remarks>Backward: dx = g·y·(1 − y). Computed through e^−|x|, so no intermediate overflows.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Sigmoid(Tensor x) => Unary<SigmoidFunction>(nameof(Sigmoid), x, 0f);

    /// <summary>An elementwise function of x (and a scalar parameter s): one generic kernel forward, one backward.</summary>
    private static Tensor Unary<TFunction>(string op, Tensor x, float s)
        where TFunction : struct, IUnaryFunction
    {
        TensorChecks.Live(op, x, nameof(x));
        return Compute(op, x.Device, [.. x.Shape], y => ElementwiseKernels.Unary<TFunction>(x, s, y), [x],
            y => (g, _) => [Fresh(x.Device, [.. x.Shape], dx => ElementwiseKernels.UnaryBackward<TFunction>(g, x, y, s, dx))],
            [SavedTensor.Of("x", x)], savesResult: true);
    }
}
