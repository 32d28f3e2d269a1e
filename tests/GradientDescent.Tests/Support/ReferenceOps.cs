namespace GradientDescent.Tests;

/// <summary>
/// Plain float64 CPU implementations of every operation in <see cref="Ops"/> and of the SGD update:
/// the oracle that the float32 kernels are tested against. Each forward sits next to its backward.
/// </summary>
/// <remarks>
/// Arrays are row-major; every shape is given in the doc comment. A backward takes the op's inputs and
/// the upstream gradient <c>g</c> (shaped like the op's output) and returns the gradient of each input,
/// computed from the element formula rather than by composing other operations, so it does not share
/// the library's derivation. Each backward is verified against finite differences in
/// each family's <c>*ReferenceTests</c> (with <see cref="FiniteDifferences"/>), the forwards against hand-computed values there too.
/// </remarks>
public static partial class ReferenceOps
{
    /// <summary>|x| elementwise: with a product's operands, gives the scale Σ|a||b| its rounding error is bounded by.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of x.</returns>
    public static double[] Abs(double[] x) => [.. x.Select(Math.Abs)];
}
