using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>The float64 reference of the element gathers and OneHot: hand-computed values (repeated pairs summing) and the backwards against finite differences.</summary>
[TestFixture]
public sealed class GatherReferenceTests
{
    [Test]
    public void Gathers_HandComputed()
    {
        double[] x = [1, 2, 3, 4, 5, 6];   // (2, 3)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(GatherPairs(x, 3, [0, 1, 1], [2, 0, 0]), Is.EqualTo(new double[] { 3, 4, 4 }));
            // The pair (1, 0) appears twice: its gradients add.
            Assert.That(GatherPairsBackward([10, 20, 30], 2, 3, [0, 1, 1], [2, 0, 0]), Is.EqualTo(new double[] { 0, 0, 10, 50, 0, 0 }));
            Assert.That(GatherLabels(x, 3, [1, 2]), Is.EqualTo(new double[] { 2, 6 }));
            Assert.That(GatherLabelsBackward([7, 8], 3, [1, 2]), Is.EqualTo(new double[] { 0, 7, 0, 0, 0, 8 }));
            Assert.That(OneHot([2, 0], 4), Is.EqualTo(new double[] { 0, 0, 1, 0, 1, 0, 0, 0 }));
        }
    }

    [Test]
    public void Backwards_MatchFiniteDifferences()
    {
        const int height = 4, cols = 5;
        var random = new Random(181);
        var x = Normal(random, height * cols);
        int[] rows = [0, 3, 3, 1, 0, 3];
        int[] columns = [4, 2, 2, 0, 4, 1];
        int[] labels = [1, 4, 0, 4];
        var gp = Normal(random, rows.Length);
        var gl = Normal(random, height);

        using (Assert.EnterMultipleScope())
        {
            Check("pairs dx", v => GatherPairs(v, cols, rows, columns), x, gp, GatherPairsBackward(gp, height, cols, rows, columns));
            Check("labels dx", v => GatherLabels(v, cols, labels), x, gl, GatherLabelsBackward(gl, cols, labels));
        }
    }
}
