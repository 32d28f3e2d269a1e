using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of the reductions: the forwards on hand-computed values (finite differences only show
/// that a backward matches its forward; these show that the forwards compute the documented functions), and
/// every backward against float64 central finite differences (<see cref="FiniteDifferences"/>).
/// </summary>
[TestFixture]
public sealed class ReductionReferenceTests
{
    [Test]
    public void Sum_Mean_ColumnSum_Backward_MatchFiniteDifferences()
    {
        const int rows = 4, cols = 5;
        var random = new Random(18);
        var x = Normal(random, rows * cols);
        var g = Normal(random, cols);

        using (Assert.EnterMultipleScope())
        {
            Check("Sum dx", v => [Sum(v)], x, [g[0]], SumBackward(g[0], x.Length));
            Check("Mean dx", v => [Mean(v)], x, [g[0]], MeanBackward(g[0], x.Length));
            Check("ColumnSum dx", v => ColumnSum(v, rows, cols), x, g, ColumnSumBackward(g, rows));
        }
    }

    [Test]
    public void Reductions_HandComputed()
    {
        double[] x = [1, 2, 3, 4, 5, 6];   // (2, 3)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sum(x), Is.EqualTo(21));
            Assert.That(Mean(x), Is.EqualTo(3.5));
            Assert.That(ColumnSum(x, 2, 3), Is.EqualTo(new double[] { 5, 7, 9 }));
            Assert.That(ColumnSumBackward([1, 2, 3], 2), Is.EqualTo(new double[] { 1, 2, 3, 1, 2, 3 }));
            Assert.That(MeanBackward(3, 6), Is.EqualTo(Enumerable.Repeat(0.5, 6)));
        }
    }

    [Test]
    public void ArgMax_Ties_TakeTheFirst_AndAccuracyCountsMatches()
    {
        double[] x = [1, 3, 3, 0, 5, 5, 5, 5, -2, -1, -1, -3];   // (3, 4)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ArgMax(x, 3, 4), Is.EqualTo(new[] { 1, 0, 1 }));
            Assert.That(Accuracy(x, [1, 1, 1], 3, 4), Is.EqualTo(2.0 / 3));
        }
    }
}
