using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Gather of (row, column) pairs and of each row's label entry, forward and backward through a tape, and OneHot,
/// against the float64 reference.
/// </summary>
/// <remarks>
/// Gathers copy (exact). A pair's gradient sums the upstream values of its t repeats, in a fixed order: γ(t − 1)·Σ|g|
/// (<see cref="Tolerance.Accumulation"/>), exact for a pair that appears once. OneHot writes 0s and 1s (exact).
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ElementGatherTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    [TestCase(1, 1, 1)]
    [TestCase(1, 1, 5)]
    [TestCase(7, 13, 20)]
    [TestCase(33, 65, 700)]
    [TestCase(64, 784, 3000)]
    public void Pairs_ForwardAndBackward_MatchReference(int height, int cols, int k)
    {
        var device = Device;
        var random = new Random(182);
        var x = RandomArrays.Normal(random, height * cols);
        // Drawn from a small corner when k is large, so that many pairs repeat; the last pair is the far corner.
        int[] rows = [.. Enumerable.Range(0, k).Select(_ => random.Next(Math.Min(height, 5)))];
        int[] columns = [.. Enumerable.Range(0, k).Select(_ => random.Next(Math.Min(cols, 9)))];
        (rows[^1], columns[^1]) = (height - 1, cols - 1);
        var g = RandomArrays.Normal(random, k);
        using var tx = Tensor.FromArray(device, x, height, cols);
        using var tg = Tensor.FromArray(device, g, k);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.Gather(tx, rows, columns);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        var gd = g.ToDouble();
        var expected = ReferenceOps.GatherPairsBackward(gd, height, cols, rows, columns);
        var scale = ReferenceOps.GatherPairsBackward(ReferenceOps.Abs(gd), height, cols, rows, columns);
        var repeats = ReferenceOps.GatherPairsBackward([.. Enumerable.Repeat(1.0, k)], height, cols, rows, columns);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(new[] { k }));
            Assert.That(y.ToArray(), Is.EqualTo(ReferenceOps.GatherPairs(x.ToDouble(), cols, rows, columns).Select(v => (float)v)));
            Assert.That(dx.Shape, Is.EqualTo(new[] { height, cols }));
            Close.Assert(dx.ToArray(), expected, [.. scale.Select((s, i) => Tolerance.Accumulation(Math.Max(0, (int)repeats[i] - 1)) * s)], "dx");
        }
    }

    [TestCase(1, 1)]
    [TestCase(7, 13)]
    [TestCase(64, 10)]
    [TestCase(1000, 10)]
    public void AtLabels_ForwardAndBackward_MatchReference(int rows, int classes)
    {
        var device = Device;
        var random = new Random(183);
        var x = RandomArrays.Normal(random, rows * classes);
        var labels = RandomArrays.Labels(random, rows, classes);
        labels[^1] = classes - 1;
        var g = RandomArrays.Normal(random, rows);
        using var tx = Tensor.FromArray(device, x, rows, classes);
        using var tl = Labels.FromArray(device, labels, classes);
        using var tg = Tensor.FromArray(device, g, rows);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.Gather(tx, tl);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(new[] { rows }));
            Assert.That(y.ToArray(), Is.EqualTo(ReferenceOps.GatherLabels(x.ToDouble(), classes, labels).Select(v => (float)v)));
            Assert.That(dx.ToArray(), Is.EqualTo(ReferenceOps.GatherLabelsBackward(g.ToDouble(), classes, labels).Select(v => (float)v)));
        }
    }

    [TestCase(1, 1, null)]
    [TestCase(7, 10, null)]
    [TestCase(7, 10, 13)]
    [TestCase(1000, 10, 10)]
    public void OneHot_MatchesReference(int n, int classes, int? width)
    {
        var labels = RandomArrays.Labels(new Random(184), n, classes);
        labels[0] = classes - 1;
        using var tl = Labels.FromArray(Device, labels, classes);

        using var t = Ops.OneHot(tl, width);

        int w = width ?? classes;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.Shape, Is.EqualTo(new[] { n, w }));
            Assert.That(t.ToArray(), Is.EqualTo(ReferenceOps.OneHot(labels, w).Select(v => (float)v)));
        }
    }

    [Test]
    public void OneHot_FeedsTheDenseLoss_AsTheSparseLabelsDo()
    {
        var device = Device;
        var random = new Random(185);
        var logits = RandomArrays.Normal(random, 6 * 4);
        int[] labels = [0, 3, 1, 2, 3, 0];
        using var tx = Tensor.FromArray(device, logits, 6, 4);
        using var tl = Labels.FromArray(device, labels, 4);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var dense = Ops.SoftmaxCrossEntropy(tx, Ops.OneHot(tl));
        var dx = tape.Gradient(Ops.Sum(dense), tx)[0]!;

        var ones = Enumerable.Repeat(1.0, 6).ToArray();
        using (Assert.EnterMultipleScope())
        {
            // One-hot targets make Σt = 1 and Σ t·x = x[label] exact: the sparse bounds hold (see SoftmaxCrossEntropyTests).
            Close.Assert(dense.ToArray(), ReferenceOps.SoftmaxCrossEntropy(logits.ToDouble(), labels, 6, 4),
                Tolerance.LogSoftmax(4, logits.Max(Math.Abs)), 0, "loss");
            Close.Assert(dx.ToArray(), ReferenceOps.SoftmaxCrossEntropyBackward(logits.ToDouble(), labels, ones, 6, 4),
                Tolerance.Softmax(4), Tolerance.OneRounding, "dlogits");
        }
    }
}
