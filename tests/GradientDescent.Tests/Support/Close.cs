using System.Globalization;
using System.Text;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>Elementwise comparison with tolerance <c>atol + rtol·|expected|</c>, reporting the first mismatches.</summary>
public static class Close
{
    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| everywhere (NaN never passes).</summary>
    public static void Assert(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double atol, double rtol, string what)
    {
        NUnit.Framework.Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        var report = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double allowed = atol + (rtol * Math.Abs(expected[i]));
            if (!(error <= allowed))
            {
                if (bad < 5)
                {
                    report.Append(CultureInfo.InvariantCulture, $"\n  [{i}] got {actual[i]:G9}, expected {expected[i]:G9} (error {error:G3} > {allowed:G3})");
                }

                bad++;
            }

            worst = Math.Max(worst, error);
        }

        NUnit.Framework.Assert.That(bad, Is.Zero,
            $"{what}: {bad} of {actual.Length} elements outside atol={atol:G3} + rtol={rtol:G3}·|ref| (worst abs error {worst:G3}):{report}");
    }

    /// <summary>
    /// Asserts |actual − expected| ≤ atol[i] everywhere (NaN never passes): for bounds that scale with each element's
    /// own terms, such as a gradient summed over a broadcast dimension or a derivative that cancels.
    /// </summary>
    public static void Assert(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, ReadOnlySpan<double> atol, string what)
    {
        NUnit.Framework.Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        NUnit.Framework.Assert.That(atol.Length, Is.EqualTo(expected.Length), $"{what}: bounds");
        var report = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= atol[i]))
            {
                if (bad < 5)
                {
                    report.Append(CultureInfo.InvariantCulture, $"\n  [{i}] got {actual[i]:G9}, expected {expected[i]:G9} (error {error:G3} > {atol[i]:G3})");
                }

                bad++;
            }

            worst = Math.Max(worst, atol[i] > 0 ? error / atol[i] : error > 0 ? double.PositiveInfinity : 0);
        }

        NUnit.Framework.Assert.That(bad, Is.Zero,
            $"{what}: {bad} of {actual.Length} elements outside their bounds (worst error/bound {worst:G3}):{report}");
    }
}
