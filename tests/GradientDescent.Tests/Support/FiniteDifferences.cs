using System.Globalization;
using System.Text;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Checks a float64 reference backward against float64 central finite differences of its own forward, so the
/// oracle the kernels are compared with is itself verified.
/// </summary>
/// <remarks>
/// For an op f with upstream weights g, the scalar φ(x) = Σᵢ gᵢ·f(x)ᵢ has ∂φ/∂xⱼ = backward(g)ⱼ. The step
/// h = 1e-6·max(1, |xⱼ|) keeps the truncation error h²·|φ'''|/6 near 1e-13 and the rounding error
/// ε·|φ|/h near 1e-10·|φ| (ε = 2.2e-16), both far below the tolerance
/// |analytic − numeric| ≤ 1e-6·max(1, |analytic|, |numeric|): relative where gradients are large,
/// absolute near zero, where a relative error means nothing. ReLU inputs are kept ≥ 0.1 from the kink.
/// </remarks>
internal static class FiniteDifferences
{
    private const double Tolerance = 1e-6;

    /// <summary>Asserts analytic = ∂(Σ g·f)/∂x by central differences, element by element, reporting the first mismatches.</summary>
    public static void Check(string what, Func<double[], double[]> f, double[] x, double[] g, double[] analytic)
    {
        Assert.That(analytic, Has.Length.EqualTo(x.Length), $"{what}: gradient length");
        var report = new StringBuilder();
        int bad = 0;
        for (int j = 0; j < x.Length; j++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x[j]));
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[j] += h;
            minus[j] -= h;
            // Divide by the step actually represented, not the nominal 2h.
            double numeric = (Dot(g, f(plus)) - Dot(g, f(minus))) / (plus[j] - minus[j]);
            double error = Math.Abs(analytic[j] - numeric);
            if (!(error <= Tolerance * Math.Max(1, Math.Max(Math.Abs(analytic[j]), Math.Abs(numeric)))))
            {
                if (bad++ < 5)
                {
                    report.Append(CultureInfo.InvariantCulture,
                        $"\n  [{j}] analytic {analytic[j]:G12}, numeric {numeric:G12} (error {error:G3})");
                }
            }
        }

        Assert.That(bad, Is.Zero, $"{what}: {bad} of {x.Length} gradient elements differ from finite differences:{report}");
    }

    private static double Dot(double[] g, double[] y)
    {
        Assert.That(y, Has.Length.EqualTo(g.Length), "upstream weights match the output");
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            sum += g[i] * y[i];
        }

        return sum;
    }

    public static double[] Normal(Random random, int n, double std = 1) => RandomArrays.Normal(random, n, std).ToDouble();
}
