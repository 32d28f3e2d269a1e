using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of the matrix product: the forwards on hand-computed values (finite differences only show
/// that a backward matches its forward; these show that the forwards compute the documented functions), and
/// every backward against float64 central finite differences (<see cref="FiniteDifferences"/>).
/// </summary>
[TestFixture]
public sealed class MatMulReferenceTests
{
    public static IEnumerable<TestCaseData> Transposes() =>
        from ta in new[] { false, true }
        from tb in new[] { false, true }
        select new TestCaseData(ta, tb).SetArgDisplayNames(ta ? "aT" : "a", tb ? "bT" : "b");

    [TestCaseSource(nameof(Transposes))]
    public void MatMul_Backward_MatchesFiniteDifferences(bool transposeA, bool transposeB)
    {
        const int m = 3, k = 4, n = 5;
        var random = new Random(11);
        var a = Normal(random, m * k);
        var b = Normal(random, k * n);
        var g = Normal(random, m * n);

        var (da, db) = MatMulBackward(a, transposeA, b, transposeB, g, m, k, n);

        using (Assert.EnterMultipleScope())
        {
            Check("dA", x => MatMul(x, transposeA, b, transposeB, m, k, n), a, g, da);
            Check("dB", x => MatMul(a, transposeA, x, transposeB, m, k, n), b, g, db);
        }
    }

    [Test]
    public void MatMul_HandComputed()
    {
        double[] a = [1, 2, 3, 4, 5, 6];       // (2, 3)
        double[] b = [7, 8, 9, 10, 11, 12];    // (3, 2)

        Assert.That(MatMul(a, false, b, false, 2, 3, 2), Is.EqualTo(new double[] { 58, 64, 139, 154 }));
    }

    [TestCaseSource(nameof(Transposes))]
    public void MatMul_TransposeFlags_EqualExplicitTransposes(bool transposeA, bool transposeB)
    {
        const int m = 2, k = 3, n = 4;
        var random = new Random(1);
        var opA = RandomArrays.Normal(random, m * k).ToDouble();
        var opB = RandomArrays.Normal(random, k * n).ToDouble();
        var a = transposeA ? Transpose(opA, m, k) : opA;
        var b = transposeB ? Transpose(opB, k, n) : opB;
        var g = RandomArrays.Normal(random, m * n).ToDouble();

        var (da, db) = MatMulBackward(a, transposeA, b, transposeB, g, m, k, n);
        var (dOpA, dOpB) = MatMulBackward(opA, false, opB, false, g, m, k, n);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(MatMul(a, transposeA, b, transposeB, m, k, n), Is.EqualTo(MatMul(opA, false, opB, false, m, k, n)));
            Assert.That(da, Is.EqualTo(transposeA ? Transpose(dOpA, m, k) : dOpA));
            Assert.That(db, Is.EqualTo(transposeB ? Transpose(dOpB, k, n) : dOpB));
        }
    }
}
