using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Transpose, and the views and copies a user takes (Rows, <c>x[range]</c>, Clone, Reshape) as recorded operations:
/// forward and backward against the reference. None of them does arithmetic, so every comparison is exact.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ShapeTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    [TestCase(1, 1)]
    [TestCase(1, 7)]
    [TestCase(7, 1)]
    [TestCase(7, 13)]
    [TestCase(33, 65)]
    [TestCase(64, 784)]
    public void Transpose_ForwardAndBackward_MatchReference(int rows, int cols)
    {
        var device = Device;
        var random = new Random(172);
        var x = RandomArrays.Normal(random, rows * cols);
        var g = RandomArrays.Normal(random, rows * cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tg = Tensor.FromArray(device, g, cols, rows);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.Transpose(tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(new[] { cols, rows }));
            Assert.That(y.ToArray(), Is.EqualTo(ReferenceOps.Transpose(x.ToDouble(), rows, cols).Select(v => (float)v)));
            Assert.That(dx.ToArray(), Is.EqualTo(ReferenceOps.TransposeBackward(g.ToDouble(), rows, cols).Select(v => (float)v)));
        }
    }

    public static IEnumerable<TestCaseData> Views() =>
    [
        new TestCaseData("x[..2]", (Func<Tensor, Tensor>)(x => x[..2]), 0, 2).SetArgDisplayNames("x[..2]"),
        new TestCaseData("x[^1..]", (Func<Tensor, Tensor>)(x => x[^1..]), 4, 1).SetArgDisplayNames("x[^1..]"),
        new TestCaseData("x[1..^1]", (Func<Tensor, Tensor>)(x => x[1..^1]), 1, 3).SetArgDisplayNames("x[1..^1]"),
        new TestCaseData("Rows(2, 3)", (Func<Tensor, Tensor>)(x => x.Rows(2, 3)), 2, 3).SetArgDisplayNames("Rows(2, 3)"),
        new TestCaseData("Ops.Rows(0, 5)", (Func<Tensor, Tensor>)(x => Ops.Rows(x, 0, 5)), 0, 5).SetArgDisplayNames("Ops.Rows(0, 5)"),
    ];

    [TestCaseSource(nameof(Views))]
    public void RowViews_AreRecorded_AndTheirGradientsFlowBack(string name, Func<Tensor, Tensor> view, int start, int count)
    {
        const int rows = 5, cols = 7;
        var device = Device;
        var random = new Random(173);
        var x = RandomArrays.Normal(random, rows * cols);
        var g = RandomArrays.Normal(random, count * cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tg = Tensor.FromArray(device, g, count, cols);
        using var tape = new GradientTape();
        tape.Watch(tx);

        int before = tape.RecordedOperations;
        var y = view(tx);
        int recorded = tape.RecordedOperations - before;
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(recorded, Is.EqualTo(1), $"{name}: one recorded operation");
            Assert.That(y.Shape, Is.EqualTo(new[] { count, cols }));
            Assert.That(y.ToArray(), Is.EqualTo(ReferenceOps.SliceRows(x.ToDouble(), cols, start, count).Select(v => (float)v)));
            Assert.That(dx.ToArray(), Is.EqualTo(ReferenceOps.SliceRowsBackward(g.ToDouble(), rows, cols, start).Select(v => (float)v)), $"{name}: dx");
        }
    }

    [Test]
    public void OverlappingViews_AndAClone_SumTheirGradients()
    {
        var device = Device;
        float[] x = [1, 2, 3, 4, 5, 6];   // (3, 2)
        using var tx = Tensor.FromArray(device, x, 3, 2);
        using var g1 = Tensor.FromArray(device, [1, 2, 3, 4], 2, 2);
        using var g2 = Tensor.FromArray(device, [10, 20, 30, 40], 2, 2);
        using var g3 = Tensor.FromArray(device, [100, 200, 300, 400, 500, 600], 3, 2);
        using var tape = new GradientTape();
        tape.Watch(tx);

        // Rows 0–1, rows 1–2 and a copy of everything: row 1 collects from all three.
        var clone = tx.Clone();
        var loss = Ops.Add(Ops.Add(Upstream.Weighted(tx[..2], g1), Upstream.Weighted(tx[1..], g2)), Upstream.Weighted(clone, g3));
        var dx = tape.Gradient(loss, tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clone.ToArray(), Is.EqualTo(x));
            Assert.That(clone.Buffer, Is.Not.SameAs(tx.Buffer), "a clone owns a new buffer");
            // Small integers: every sum is exact.
            Assert.That(dx.ToArray(), Is.EqualTo(new float[] { 101, 202, 313, 424, 530, 640 }));
        }
    }

    [Test]
    public void Reshape_IsAView_ItsGradientIsReshaped()
    {
        var device = Device;
        using var tx = Tensor.FromArray(device, [1, 2, 3, 4, 5, 6], 2, 3);
        using var tg = Tensor.FromArray(device, [6, 5, 4, 3, 2, 1], 3, 2);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = tx.Reshape(3, -1);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Buffer, Is.SameAs(tx.Buffer), "no copy");
            Assert.That(dx.Shape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(dx.ToArray(), Is.EqualTo(new float[] { 6, 5, 4, 3, 2, 1 }));
        }
    }
}
