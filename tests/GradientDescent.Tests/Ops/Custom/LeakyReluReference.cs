namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary><c>y = x</c> where x &gt; 0, else <c>slope·x</c>: the CustomKernel sample's op.</summary>
    /// <param name="x">Any length.</param>
    /// <param name="slope">The negative side's slope.</param>
    /// <returns>y, shaped like x.</returns>
    public static double[] LeakyRelu(double[] x, double slope) => [.. x.Select(v => v > 0 ? v : slope * v)];

    /// <summary>Backward of <see cref="LeakyRelu"/>: <c>dx = g</c> where x &gt; 0, else <c>slope·g</c> (the left slope at 0).</summary>
    /// <param name="x">The forward input.</param>
    /// <param name="g">The upstream gradient, shaped like x.</param>
    /// <param name="slope">The negative side's slope.</param>
    /// <returns>dx, shaped like x.</returns>
    public static double[] LeakyReluBackward(double[] x, double[] g, double slope) =>
        [.. x.Select((v, i) => v > 0 ? g[i] : slope * g[i])];
}
