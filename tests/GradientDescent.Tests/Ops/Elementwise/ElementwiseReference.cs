namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary><c>y = a + b</c> elementwise.</summary>
    /// <param name="a">Any shape.</param>
    /// <param name="b">The shape of a.</param>
    /// <returns>y, the common shape.</returns>
    public static double[] Add(double[] a, double[] b) => [.. a.Zip(b, (x, y) => x + y)];

    /// <summary>Backward of <see cref="Add"/>: <c>da = g</c>, <c>db = g</c>.</summary>
    /// <param name="g">The shape of the output.</param>
    /// <returns>da and db.</returns>
    public static (double[] DA, double[] DB) AddBackward(double[] g) => ([.. g], [.. g]);

    /// <summary><c>y = a − b</c> elementwise.</summary>
    /// <param name="a">Any shape.</param>
    /// <param name="b">The shape of a.</param>
    /// <returns>y, the common shape.</returns>
    public static double[] Subtract(double[] a, double[] b) => [.. a.Zip(b, (x, y) => x - y)];

    /// <summary>Backward of <see cref="Subtract"/>: <c>da = g</c>, <c>db = −g</c>.</summary>
    /// <param name="g">The shape of the output.</param>
    /// <returns>da and db.</returns>
    public static (double[] DA, double[] DB) SubtractBackward(double[] g) => ([.. g], [.. g.Select(v => -v)]);

    /// <summary><c>y = s·x</c> elementwise.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="s">The factor.</param>
    /// <returns>y, the shape of x.</returns>
    public static double[] Scale(double[] x, double s) => [.. x.Select(v => s * v)];

    /// <summary>Backward of <see cref="Scale"/>: <c>dx = s·g</c>.</summary>
    /// <param name="g">The shape of x.</param>
    /// <param name="s">The factor.</param>
    /// <returns>dx, the shape of x.</returns>
    public static double[] ScaleBackward(double[] g, double s) => Scale(g, s);
}
