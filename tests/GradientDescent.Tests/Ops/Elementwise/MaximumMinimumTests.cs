using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The two rules of the broadcasting Maximum and Minimum that random inputs never reach: a tie sends all its
/// gradient to a (TensorFlow's rule), and a NaN on either side propagates (NumPy's and PyTorch's).
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class MaximumMinimumTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    public static IEnumerable<TestCaseData> TieCases() =>
        from op in new[] { BinaryOp.Maximum, BinaryOp.Minimum }
        from pair in new (string Name, int[] A, int[] B)[]
        {
            ("matrix∘matrix", [7, 13], [7, 13]), ("matrix∘row", [7, 13], [13]), ("column∘matrix", [7, 1], [7, 13]),
            ("scalar∘matrix", [], [7, 13]), ("row∘column", [1, 13], [7, 1]),
        }
        select new TestCaseData(op, pair.A, pair.B).SetArgDisplayNames(op.ToString(), pair.Name);

    [TestCaseSource(nameof(TieCases))]
    public void Ties_SendTheGradientToA(BinaryOp op, int[] aShape, int[] bShape)
    {
        var device = Device;
        var random = new Random(121);
        // Integers in −1..1: about a third of all pairs tie.
        float[] Ints(int[] shape) => [.. Enumerable.Range(0, shape.Aggregate(1, (p, d) => p * d)).Select(_ => (float)random.Next(-1, 2))];
        var (a, b) = (Ints(aShape), Ints(bShape));
        var shape = ReferenceOps.BroadcastShape(aShape, bShape);
        var g = RandomArrays.Normal(random, shape.Aggregate(1, (p, d) => p * d));
        using var ta = Tensor.FromArray(device, a, aShape);
        using var tb = Tensor.FromArray(device, b, bShape);
        using var tg = Tensor.FromArray(device, g, shape);
        using var tape = new GradientTape();
        tape.Watch(ta);
        tape.Watch(tb);

        var y = BroadcastTests.Apply(op, ta, tb);
        var grads = tape.Gradient(Upstream.Weighted(y, tg), ta, tb);

        var (ad, bd, gd) = (a.ToDouble(), b.ToDouble(), g.ToDouble());
        var ties = ReferenceOps.Broadcast(BinaryOp.Subtract, ad, aShape, bd, bShape).Count(d => d == 0);
        var (da, db) = ReferenceOps.BroadcastBackward(op, ad, aShape, bd, bShape, gd);
        var (scaleA, scaleB) = ReferenceOps.BroadcastBackwardScale(op, ad, aShape, bd, bShape, gd);
        int termsA = ReferenceOps.BroadcastTerms(aShape, bShape), termsB = ReferenceOps.BroadcastTerms(bShape, aShape);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ties, Is.GreaterThan(shape.Aggregate(1, (p, d) => p * d) / 5), "ties are common");
            Close.Assert(y.ToArray(), ReferenceOps.Broadcast(op, ad, aShape, bd, bShape), 0, 0, $"{op} y");
            // The selected g's, summed exactly or over the broadcast dimension: γ(k − 1)·Σ|g|.
            Close.Assert(grads[0]!.ToArray(), da, BroadcastTests.Bounds(scaleA, termsA - 1), $"{op} da");
            Close.Assert(grads[1]!.ToArray(), db, BroadcastTests.Bounds(scaleB, termsB - 1), $"{op} db");
        }
    }

    public static IEnumerable<TestCaseData> NaNCases() =>
        from op in new[] { BinaryOp.Maximum, BinaryOp.Minimum }
        from pair in BroadcastPairs.All
        select new TestCaseData(op, pair.A, pair.B).SetArgDisplayNames(op.ToString(), pair.Name);

    [TestCaseSource(nameof(NaNCases))]
    public void NaN_OnEitherSide_Propagates(BinaryOp op, int[] aShape, int[] bShape)
    {
        var random = new Random(122);
        var (a, b) = BroadcastTests.Operands(op, aShape, bShape, random);
        // A NaN in a's first element, and in b's last when b has more than one (else in neither, for the b side
        // a NaN a alone must already show).
        a[0] = float.NaN;
        if (b.Length > 1)
        {
            b[^1] = float.NaN;
        }

        using var ta = Tensor.FromArray(Device, a, aShape);
        using var tb = Tensor.FromArray(Device, b, bShape);
        using var ab = BroadcastTests.Apply(op, ta, tb);
        using var ba = BroadcastTests.Apply(op, tb, ta);

        var expected = ReferenceOps.Broadcast(op, a.ToDouble(), aShape, b.ToDouble(), bShape).Select(v => (float)v).ToArray();
        var swapped = ReferenceOps.Broadcast(op, b.ToDouble(), bShape, a.ToDouble(), aShape).Select(v => (float)v).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected, Has.Some.NaN, "the case holds a NaN");
            // Is.EqualTo counts NaN equal to NaN, so this checks the NaNs' positions and every other value.
            Assert.That(ab.ToArray(), Is.EqualTo(expected), $"{op}(a, b)");
            Assert.That(ba.ToArray(), Is.EqualTo(swapped), $"{op}(b, a)");
        }
    }

    [Test]
    public void NaN_OnlyInB_Propagates()
    {
        using var a = Tensor.FromArray(Device, [1, 2, 3, 4, 5, 6], 2, 3);
        using var row = Tensor.FromArray(Device, [0, float.NaN, 9], 3);
        using var column = Tensor.FromArray(Device, [float.NaN, 0], 2, 1);
        using var scalar = Tensor.FromArray(Device, [float.NaN], []);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Run(Ops.Maximum, a, row), Is.EqualTo(new[] { 1, float.NaN, 9, 4, float.NaN, 9 }));
            Assert.That(Run(Ops.Minimum, a, row), Is.EqualTo(new[] { 0, float.NaN, 3, 0, float.NaN, 6 }));
            Assert.That(Run(Ops.Maximum, a, column), Is.EqualTo(new[] { float.NaN, float.NaN, float.NaN, 4, 5, 6 }));
            Assert.That(Run(Ops.Minimum, a, scalar), Has.All.NaN);
            Assert.That(Run(Ops.Maximum, scalar, a), Has.All.NaN);
        }
    }

    private static float[] Run(Func<Tensor, Tensor, Tensor> op, Tensor a, Tensor b)
    {
        using var y = op(a, b);
        return y.ToArray();
    }
}
