using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of the broadcasting binary operations: broadcast shapes and forwards on hand-computed
/// values, the tie rule of maximum and minimum, and every backward against float64 central finite differences
/// (<see cref="FiniteDifferences"/>) for every broadcast combination.
/// </summary>
[TestFixture]
public sealed class BroadcastReferenceTests
{
    /// <summary>Every way two shapes of rank ≤ 2 broadcast: each operand dense, a scalar, a row, a column, or both at once.</summary>
    public static IEnumerable<TestCaseData> Combinations() =>
        from op in Enum.GetValues<BinaryOp>()
        from pair in BroadcastPairs.All
        select new TestCaseData(op, pair.A, pair.B).SetArgDisplayNames(op.ToString(), pair.Name);

    [TestCaseSource(nameof(Combinations))]
    public void Backward_MatchesFiniteDifferences(BinaryOp op, int[] aShape, int[] bShape)
    {
        var random = new Random(71 + (int)op);
        var (a, b) = BroadcastPairs.Operands(op, aShape, bShape, random);
        var g = Normal(random, BroadcastShape(aShape, bShape).Aggregate(1, (p, d) => p * d));

        var (da, db) = BroadcastBackward(op, a, aShape, b, bShape, g);

        using (Assert.EnterMultipleScope())
        {
            Check($"{op} da", v => Broadcast(op, v, aShape, b, bShape), a, g, da);
            Check($"{op} db", v => Broadcast(op, a, aShape, v, bShape), b, g, db);
        }
    }

    [Test]
    public void BroadcastShape_FollowsNumPy()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(BroadcastShape([], [2, 3]), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(BroadcastShape([3], [2, 3]), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(BroadcastShape([2, 1], [2, 3]), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(BroadcastShape([1, 3], [2, 1]), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(BroadcastShape([4], [3, 1]), Is.EqualTo(new[] { 3, 4 }));
            Assert.That(BroadcastShape([], []), Is.Empty);
            Assert.That(() => BroadcastShape([2], [2, 3]), Throws.ArgumentException);
        }
    }

    [Test]
    public void Forward_HandComputed()
    {
        double[] m = [1, 2, 3, 4, 5, 6];   // (2, 3)
        double[] row = [10, 20, 30];        // (3,)
        double[] column = [-1, 2];          // (2, 1)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Broadcast(BinaryOp.Add, m, [2, 3], row, [3]), Is.EqualTo(new double[] { 11, 22, 33, 14, 25, 36 }));
            Assert.That(Broadcast(BinaryOp.Subtract, m, [2, 3], column, [2, 1]), Is.EqualTo(new double[] { 2, 3, 4, 2, 3, 4 }));
            Assert.That(Broadcast(BinaryOp.Multiply, column, [2, 1], row, [1, 3]), Is.EqualTo(new double[] { -10, -20, -30, 20, 40, 60 }));
            Assert.That(Broadcast(BinaryOp.Divide, [6], [], m, [2, 3]), Is.EqualTo(new[] { 6, 3, 2, 1.5, 1.2, 1 }));
            Assert.That(Broadcast(BinaryOp.Maximum, m, [2, 3], [3.5], []), Is.EqualTo(new[] { 3.5, 3.5, 3.5, 4, 5, 6 }));
            Assert.That(Broadcast(BinaryOp.Minimum, m, [2, 3], column, [2, 1]), Is.EqualTo(new double[] { -1, -1, -1, 2, 2, 2 }));
            Assert.That(Broadcast(BinaryOp.Add, [1.5], [], [2.25], []), Is.EqualTo(new[] { 3.75 }));
        }
    }

    [Test]
    public void Backward_SumsOverBroadcastDimensions_HandComputed()
    {
        double[] m = [1, 2, 3, 4, 5, 6];   // (2, 3)
        double[] row = [10, 20, 30];
        double[] g = [1, 1, 1, 2, 2, 2];

        var (dm, drow) = BroadcastBackward(BinaryOp.Multiply, m, [2, 3], row, [3], g);
        var (_, dscalar) = BroadcastBackward(BinaryOp.Subtract, m, [2, 3], [7], [], g);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dm, Is.EqualTo(new double[] { 10, 20, 30, 20, 40, 60 }));
            // Column sums of g·m: 1·1 + 2·4, 1·2 + 2·5, 1·3 + 2·6.
            Assert.That(drow, Is.EqualTo(new double[] { 9, 12, 15 }));
            Assert.That(dscalar, Is.EqualTo(new double[] { -9 }));
            Assert.That(BroadcastTerms([3], [2, 3]), Is.EqualTo(2));
            Assert.That(BroadcastTerms([], [2, 3]), Is.EqualTo(6));
            Assert.That(BroadcastTerms([2, 3], [2, 1]), Is.EqualTo(1));
        }
    }

    [Test]
    public void MaximumMinimum_TieGoesToA_AndNaNPropagates()
    {
        double[] a = [1, 2, 3];
        double[] b = [1, 1, 4];
        double[] g = [10, 20, 30];

        var (maxA, maxB) = BroadcastBackward(BinaryOp.Maximum, a, [3], b, [3], g);
        var (minA, minB) = BroadcastBackward(BinaryOp.Minimum, a, [3], b, [3], g);

        using (Assert.EnterMultipleScope())
        {
            // Element 0 is a tie: all of its gradient goes to a, none to b.
            Assert.That(maxA, Is.EqualTo(new double[] { 10, 20, 0 }));
            Assert.That(maxB, Is.EqualTo(new double[] { 0, 0, 30 }));
            Assert.That(minA, Is.EqualTo(new double[] { 10, 0, 30 }));
            Assert.That(minB, Is.EqualTo(new double[] { 0, 20, 0 }));
            Assert.That(Broadcast(BinaryOp.Maximum, [double.NaN, 1], [2], [0, double.NaN], [2]), Has.All.NaN);
            Assert.That(Broadcast(BinaryOp.Minimum, [double.NaN, 1], [2], [0, double.NaN], [2]), Has.All.NaN);
        }
    }
}

/// <summary>The broadcast combinations the elementwise tests run, and operands that keep each function off its kinks.</summary>
internal static class BroadcastPairs
{
    public static readonly (string Name, int[] A, int[] B)[] All =
    [
        ("scalar∘matrix", [], [3, 4]),
        ("matrix∘scalar", [3, 4], []),
        ("row∘matrix", [4], [3, 4]),
        ("(1,c)∘matrix", [1, 4], [3, 4]),
        ("column∘matrix", [3, 1], [3, 4]),
        ("matrix∘column", [3, 4], [3, 1]),
        ("matrix∘(1,1)", [3, 4], [1, 1]),
        ("scalar∘scalar", [], []),
        ("row∘column", [1, 4], [3, 1]),
        ("vector∘vector", [5], [5]),
        ("matrix∘matrix", [3, 4], [3, 4]),
    ];

    /// <summary>
    /// a and b of the given shapes: for maximum and minimum a is an integer and b an integer plus ½, so every pair
    /// the broadcast forms differs by at least ½ (no tie); for division |b| ∈ [0.5, 1.5], away from the pole.
    /// </summary>
    public static (double[] A, double[] B) Operands(BinaryOp op, int[] aShape, int[] bShape, Random random)
    {
        int na = aShape.Aggregate(1, (p, d) => p * d), nb = bShape.Aggregate(1, (p, d) => p * d);
        return op switch
        {
            BinaryOp.Maximum or BinaryOp.Minimum => (
                [.. Enumerable.Range(0, na).Select(_ => (double)random.Next(-3, 4))],
                [.. Enumerable.Range(0, nb).Select(_ => random.Next(-3, 3) + 0.5)]),
            BinaryOp.Divide => (FiniteDifferences.Normal(random, na), RandomArrays.AwayFromZero(random, nb, 0.5, 1.5).ToDouble()),
            _ => (FiniteDifferences.Normal(random, na), FiniteDifferences.Normal(random, nb)),
        };
    }
}
