namespace GradientDescent;

public static partial class Ops
{
    /// <summary>
    /// The matrix product <c>op(a)·op(b)</c>, like <c>tf.matmul(a, b, transpose_a, transpose_b)</c>.
    /// Transposes are read through strides, never materialised.
    /// </summary>
    /// <param name="a">(m, k), or (k, m) when <paramref name="transposeA"/>.</param>
    /// <param name="b">(k, n), or (n, k) when <paramref name="transposeB"/>.</param>
    /// <param name="transposeA">Use aᵀ.</param>
    /// <param name="transposeB">Use bᵀ.</param>
    /// <returns>(m, n).</returns>
    /// <remarks>Backward: d op(a) = g·op(b)ᵀ and d op(b) = op(a)ᵀ·g, each again one product kernel.</remarks>
    /// <exception cref="ArgumentException">An operand is not a matrix, the inner dimensions differ, or the operands live on different devices.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        const string op = nameof(MatMul);
        TensorChecks.Rank(op, a, nameof(a), 2);
        TensorChecks.Rank(op, b, nameof(b), 2);
        TensorChecks.SameDevice(op, a, b);
        int m = transposeA ? a.Shape[1] : a.Shape[0];
        int k = transposeA ? a.Shape[0] : a.Shape[1];
        int kb = transposeB ? b.Shape[1] : b.Shape[0];
        int n = transposeB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
        {
            throw new ArgumentException(
                $"{op}: cannot multiply {(transposeA ? "aᵀ" : "a")} of shape ({m}, {k}) by {(transposeB ? "bᵀ" : "b")} of shape ({kb}, {n}): "
                + $"inner dimensions {k} and {kb} differ (a is {a.ShapeText}, b is {b.ShapeText}).");
        }

        return Compute(op, a.Device, [m, n], c => MatMulKernels.Forward(a, transposeA, b, transposeB, c), [a, b],
            _ => (g, needed) =>
            [
                needed[0] ? (transposeA ? Product(b, transposeB, g, true) : Product(g, false, b, !transposeB)) : null,
                needed[1] ? (transposeB ? Product(g, true, a, transposeA) : Product(a, !transposeA, g, false)) : null,
            ],
            [SavedTensor.Of("a", a), SavedTensor.Of("b", b)]);
    }

    private static Tensor Product(Tensor a, bool transposeA, Tensor b, bool transposeB)
    {
        int m = transposeA ? a.Shape[1] : a.Shape[0];
        int n = transposeB ? b.Shape[0] : b.Shape[1];
        return Fresh(a.Device, [m, n], c => MatMulKernels.Forward(a, transposeA, b, transposeB, c));
    }
}
