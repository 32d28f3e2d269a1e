using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>The float64 leaky ReLU the custom op is tested against: hand-computed values, and its backward against float64 differences.</summary>
[TestFixture]
public sealed class LeakyReluReferenceTests
{
    [Test]
    public void Forward_OnHandComputedValues() =>
        Assert.That(LeakyRelu([2, -3, 0, 0.5], 0.1), Is.EqualTo(new[] { 2, -0.3, 0, 0.5 }).Within(1e-15));

    [Test]
    public void Backward_MatchesFiniteDifferences()
    {
        var random = new Random(3);
        var x = RandomArrays.AwayFromZero(random, 40).ToDouble();
        var g = Normal(random, 40);
        Check("LeakyRelu dx", v => LeakyRelu(v, 0.2), x, g, LeakyReluBackward(x, g, 0.2));
    }
}
