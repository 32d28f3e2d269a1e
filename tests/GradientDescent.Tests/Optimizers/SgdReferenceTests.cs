using NUnit.Framework;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>The float64 reference of the SGD update on hand-computed values.</summary>
[TestFixture]
public sealed class SgdReferenceTests
{
    [Test]
    public void SgdUpdate_HandComputed()
    {
        double[] w = [1, -2, 3];
        double[] g = [0.5, 0.25, -1];

        Assert.That(SgdUpdate(w, g, 0.5), Is.EqualTo(new[] { 0.75, -2.125, 3.5 }));
    }
}
