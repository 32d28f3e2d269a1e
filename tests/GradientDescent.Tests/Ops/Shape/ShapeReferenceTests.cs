using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>The float64 reference of Transpose and of row slices: hand-computed values and the backwards against finite differences.</summary>
[TestFixture]
public sealed class ShapeReferenceTests
{
    [Test]
    public void Transpose_SliceRows_HandComputed()
    {
        double[] x = [1, 2, 3, 4, 5, 6];   // (2, 3)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Transpose(x, 2, 3), Is.EqualTo(new double[] { 1, 4, 2, 5, 3, 6 }));
            Assert.That(TransposeBackward([1, 4, 2, 5, 3, 6], 2, 3), Is.EqualTo(x));
            Assert.That(SliceRows(x, 3, 1, 1), Is.EqualTo(new double[] { 4, 5, 6 }));
            Assert.That(SliceRowsBackward([7, 8, 9], 2, 3, 1), Is.EqualTo(new double[] { 0, 0, 0, 7, 8, 9 }));
        }
    }

    [Test]
    public void Backwards_MatchFiniteDifferences()
    {
        const int rows = 4, cols = 3;
        var random = new Random(171);
        var x = Normal(random, rows * cols);
        var gt = Normal(random, rows * cols);
        var gs = Normal(random, 2 * cols);

        using (Assert.EnterMultipleScope())
        {
            Check("Transpose dx", v => Transpose(v, rows, cols), x, gt, TransposeBackward(gt, rows, cols));
            Check("SliceRows dx", v => SliceRows(v, cols, 1, 2), x, gs, SliceRowsBackward(gs, rows, cols, 1));
        }
    }
}
