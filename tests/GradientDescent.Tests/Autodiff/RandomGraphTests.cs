using System.Globalization;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Property: for random expression graphs over every public op, the tape's gradients equal float64 central
/// differences of an independent evaluator within the rounding model's tolerance, null exactly for the inputs
/// the target does not use; a persistent tape's second gradient and an outer tape's gradient equal the first;
/// disposing an intermediate inside the tape changes nothing; every byte is returned. See docs/testing.md
/// ("Random graphs") for the seed and case-count variables.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class RandomGraphTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    [Test]
    public void RandomGraphs_GradientsMatchFiniteDifferencesOfAFloat64Evaluator()
    {
        int cases = GraphProperty.Cases;
        PropertySummary summary;
        try
        {
            summary = GraphProperty.Run(Device, cases, GraphProperty.Seed);
        }
        catch (GraphPropertyException e)
        {
            Assert.Fail(e.Message);
            return;
        }

        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RandomGraph on {Device}: {summary.Cases} graphs from seed {GraphProperty.Seed}, {summary.Discarded} discarded near kinks, "
            + $"worst error {summary.WorstRatio:F3} of its tolerance, {summary.Elapsed.TotalSeconds:F1} s"));
        Assert.That(summary.Discarded, Is.LessThan(cases / 10 + 1), "most graphs must be checked, not discarded");
    }

    [Test]
    public void RandomGraphs_AGradientOffBy1e4OfItsLargestElement_FailsWithTheShrunkGraphAndItsSeed()
    {
        // The harness's power: one element moved by 1e-4 of the gradient's largest magnitude must fail.
        static DeviceResult Tamper(DeviceResult r)
        {
            var gradients = r.Gradients.Select(g => g?.ToArray()).ToArray();
            if (gradients.FirstOrDefault(g => g is not null) is { } g)
            {
                g[^1] += 1e-4f * Math.Max(g.Max(Math.Abs), 1e-3f);
            }

            return r with { Gradients = gradients };
        }

        var e = Assert.Throws<GraphPropertyException>(() => GraphProperty.Run(Device, 20, GraphProperty.DefaultSeed, shrinkTries: 10, tamper: Tamper));

        Assert.That(e!.Message, Does.Contain("case seed").And.Contain("target = ").And.Contain("worst element: d(Σ target)/d")
            .And.Contain(GraphProperty.SeedVariable + "="));
    }
}
