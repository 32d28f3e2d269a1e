namespace GradientDescent.Tests;

/// <summary>
/// Error bounds of float32 kernels against the float64 reference, used as <c>atol + rtol·|ref|</c> in
/// <see cref="Close.Assert"/>. Each test states which bound applies and why.
/// </summary>
internal static class Tolerance
{
    /// <summary>The float32 unit roundoff 2⁻²⁴ ≈ 6e-8: one correctly rounded operation errs by at most u·|result|.</summary>
    public const double U = 1.0 / (1 << 24);

    /// <summary>
    /// One float32 rounding of each result (an add, a product): u, doubled to absorb the float64 reference's own
    /// rounding of the same expression.
    /// </summary>
    public const double OneRounding = 2 * U;

    /// <summary>
    /// The error of a k-term float32 sum or dot product, in any summation order, relative to Σ|terms|: the
    /// smaller of the worst case γₖ = k·u / (1 − k·u) (Higham, Accuracy and Stability, §3.1) and the
    /// probabilistic bound γ̃ₖ(λ) = exp(λ·√k·u + k·u²/(1 − u)) − 1 with λ = 6, which holds with probability at
    /// least 1 − 2k·exp(−λ²(1 − u)²/2) ≈ 1 − k·3e-8 when rounding errors are independent and of mean zero
    /// (Higham and Mary, SIAM J. Sci. Comput. 41(5), 2019). The probabilistic bound is what keeps large shapes
    /// tight enough to catch a missing term; the inputs are seeded, so each case is one fixed draw.
    /// </summary>
    public static double Accumulation(int k)
    {
        double worst = k * U / (1 - (k * U));
        double probable = Math.Exp((6 * Math.Sqrt(k) * U) + (k * U * U / (1 - U))) - 1;
        return Math.Min(worst, probable);
    }

    /// <summary>
    /// Absolute error of a row-wise log-softmax value (and so of a cross-entropy loss, <c>−log softmax</c> at the
    /// label) over <paramref name="cols"/> classes with logits bounded by <paramref name="maxAbs"/>.
    /// </summary>
    /// <remarks>
    /// <c>y = x − (max + log S)</c>, <c>S = Σ exp(x − max)</c>. S's relative error is at most about
    /// (cols·(1 + 1/e) + c)·u: γ_cols for the sum, u·t·e⁻ᵗ ≤ u/e per term from the rounded argument
    /// <c>t = max − x</c>, and a few ulp (c) for exp; log turns it into absolute error. The three roundings
    /// of <c>log S</c>, <c>max + log S</c> and <c>x − ·</c> add u·(ln cols + (M + ln cols) + (2M + ln cols)) with M = max|x|.
    /// Doubled to allow exp and log to be off by a few ulp rather than by u.
    /// </remarks>
    public static double LogSoftmax(int cols, double maxAbs) =>
        2 * U * ((1.4 * cols) + 4 + (3 * Math.Log(cols)) + (3 * maxAbs));

    /// <summary>
    /// Absolute error of a softmax probability and so of the cross-entropy gradient <c>softmax − target</c>,
    /// before any upstream scaling: p's relative error is S's (see <see cref="LogSoftmax"/>) plus a few
    /// roundings, the rounded argument adds at most u/e, and the subtraction of the target one more u.
    /// Independent of the logits' size because every exponent argument is ≤ 0.
    /// </summary>
    public static double Softmax(int cols) => 2 * U * ((1.4 * cols) + 8);
}
