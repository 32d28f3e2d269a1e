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
}
