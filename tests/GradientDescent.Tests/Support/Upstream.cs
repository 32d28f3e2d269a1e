namespace GradientDescent.Tests;

/// <summary>Gives an op under test a random, non-uniform upstream gradient through the public API.</summary>
internal static class Upstream
{
    /// <summary>
    /// <c>Σᵢ y[i]·w[i]</c> as a (1, 1) tensor, computed as <c>(1, n)·(n, 1)</c> through reshape views and recorded
    /// on the active tape. Its gradient with respect to y is exactly w: the backward product has one term,
    /// <c>1·w[i]</c>, so the op under test receives w as its upstream gradient without rounding.
    /// </summary>
    /// <param name="y">The op's output, any shape with n elements.</param>
    /// <param name="w">The upstream weights, n elements (any shape); not watched.</param>
    /// <returns>(1, 1), owned by the active tape.</returns>
    public static Tensor Weighted(Tensor y, Tensor w) => Ops.MatMul(y.Reshape(1, -1), w.Reshape(-1, 1));
}
