using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of Sum, Mean and Max along an axis: hand-computed forwards and backwards (the tie split
/// and NaN), every backward against float64 central finite differences, and ArgMax's order with NaN.
/// </summary>
[TestFixture]
public sealed class AxisReductionReferenceTests
{
    [TestCase(ReductionKind.Sum, true)]
    [TestCase(ReductionKind.Sum, false)]
    [TestCase(ReductionKind.Mean, true)]
    [TestCase(ReductionKind.Mean, false)]
    [TestCase(ReductionKind.Max, true)]
    [TestCase(ReductionKind.Max, false)]
    public void Backward_MatchesFiniteDifferences(ReductionKind kind, bool alongRows)
    {
        const int rows = 4, cols = 5;
        var random = new Random(141);
        // For the maximum, distinct values at least 0.1 apart, so the step h never changes which element is largest.
        var x = kind == ReductionKind.Max
            ? [.. Enumerable.Range(0, rows * cols).OrderBy(_ => random.Next()).Select(i => 0.1 * i)]
            : Normal(random, rows * cols);
        var g = Normal(random, alongRows ? rows : cols);

        Check($"{kind} dx", v => ReduceAxis(kind, v, rows, cols, alongRows), x, g, ReduceAxisBackward(kind, x, rows, cols, alongRows, g));
    }

    [Test]
    public void Forward_HandComputed()
    {
        double[] x = [1, 5, 3, 4, 2, 6];   // (2, 3)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ReduceAxis(ReductionKind.Sum, x, 2, 3, alongRows: true), Is.EqualTo(new double[] { 9, 12 }));
            Assert.That(ReduceAxis(ReductionKind.Sum, x, 2, 3, alongRows: false), Is.EqualTo(new double[] { 5, 7, 9 }));
            Assert.That(ReduceAxis(ReductionKind.Mean, x, 2, 3, alongRows: true), Is.EqualTo(new double[] { 3, 4 }));
            Assert.That(ReduceAxis(ReductionKind.Mean, x, 2, 3, alongRows: false), Is.EqualTo(new[] { 2.5, 3.5, 4.5 }));
            Assert.That(ReduceAxis(ReductionKind.Max, x, 2, 3, alongRows: true), Is.EqualTo(new double[] { 5, 6 }));
            Assert.That(ReduceAxis(ReductionKind.Max, x, 2, 3, alongRows: false), Is.EqualTo(new double[] { 4, 5, 6 }));
            Assert.That(ReduceAxis(ReductionKind.Max, [1, double.NaN, 3, 4], 2, 2, alongRows: true), Is.EqualTo(new[] { double.NaN, 4 }));
            Assert.That(ReduceAxis(ReductionKind.Max, [double.NegativeInfinity], 1, 1, alongRows: true), Is.EqualTo(new[] { double.NegativeInfinity }));
        }
    }

    [Test]
    public void Backward_HandComputed_TiesSplitEvenly()
    {
        double[] x = [3, 1, 3, 2, 2, 2];   // (2, 3): row 0 ties twice, row 1 three times
        double[] g = [6, 9];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ReduceAxisBackward(ReductionKind.Max, x, 2, 3, alongRows: true, g), Is.EqualTo(new double[] { 3, 0, 3, 3, 3, 3 }));
            // Down the columns: (3, 2) ties (none), (1, 2) → 2 wins, (3, 2) → 3 wins.
            Assert.That(ReduceAxisBackward(ReductionKind.Max, x, 2, 3, alongRows: false, [1, 2, 3]), Is.EqualTo(new double[] { 1, 0, 3, 0, 2, 0 }));
            Assert.That(ReduceAxisBackward(ReductionKind.Mean, x, 2, 3, alongRows: true, g), Is.EqualTo(new double[] { 2, 2, 2, 3, 3, 3 }));
            Assert.That(ReduceAxisBackward(ReductionKind.Sum, x, 2, 3, alongRows: false, [1, 2, 3]), Is.EqualTo(new double[] { 1, 2, 3, 1, 2, 3 }));
            Assert.That(ReduceAxisBackward(ReductionKind.Max, [1, double.NaN], 1, 2, alongRows: true, [1]), Has.All.NaN);
        }
    }

    [Test]
    public void ArgMax_NaNBeatsEveryNumber_FirstNaNWins()
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        double[] x = [1, nan, inf, nan, inf, 2, -1, nan, nan, -0.0, 0, -1];   // (4, 3)

        // NaN above +∞; the first of two NaNs; −0 ties +0, so the first index.
        Assert.That(ArgMax(x, 4, 3), Is.EqualTo(new[] { 1, 0, 1, 0 }));
    }
}
