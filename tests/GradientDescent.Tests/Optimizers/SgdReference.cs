namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary>One gradient-descent step, <c>w' = w − lr·g</c>.</summary>
    /// <param name="w">Parameters, any shape.</param>
    /// <param name="g">Their gradient, the shape of w.</param>
    /// <param name="learningRate">lr.</param>
    /// <returns>w', the shape of w.</returns>
    public static double[] SgdUpdate(double[] w, double[] g, double learningRate) =>
        [.. w.Zip(g, (p, d) => p - (learningRate * d))];
}
