using ILGPU;
using ILGPU.Runtime;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>Sum, Mean, ColumnSum (forward and backward), ArgMax and Accuracy against the float64 reference.</summary>
/// <remarks>
/// An n-term float32 sum errs by at most γ(n)·Σ|x| in any order (<see cref="Tolerance.Accumulation"/>), so
/// the sums use atol = γ(n)·Σ|x|; broadcasting a gradient is a copy (exact) or one product (one rounding).
/// ArgMax and the correct-prediction count involve no rounding and are compared exactly.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ReductionTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    public static IEnumerable<TestCaseData> TotalShapes() =>
        // 300×300 is past what one group sums (65,536): on ILGPU devices, six chunk sums (the last short), then their total.
        new int[][] { [], [1], [91], [7, 13], [17, 33], [5, 300], [64, 784], [300, 300] }
            .Select(s => new TestCaseData(s).SetArgDisplayNames(s.Length == 0 ? "scalar" : string.Join("x", s)));

    public static IEnumerable<TestCaseData> MatrixShapes() =>
        new (int Rows, int Cols)[] { (1, 1), (1, 17), (17, 1), (7, 13), (33, 31), (64, 784), (1000, 10) }
            .Select(s => new TestCaseData(s.Rows, s.Cols).SetArgDisplayNames($"{s.Rows}x{s.Cols}"));

    [TestCaseSource(nameof(TotalShapes))]
    public void Sum_ForwardAndBackward_MatchReference(int[] shape) => AssertTotal(shape, mean: false);

    [TestCaseSource(nameof(TotalShapes))]
    public void Mean_ForwardAndBackward_MatchReference(int[] shape) => AssertTotal(shape, mean: true);

    [Test]
    public void SumAndMean_Null_ThrowArgumentNullException()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Sum(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("x"));
            Assert.That(() => Ops.Mean(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("x"));
        }
    }

    [TestCaseSource(nameof(MatrixShapes))]
    public void ColumnSum_ForwardAndBackward_MatchReference(int rows, int cols)
    {
        var device = Device;
        var random = new Random(41);
        var x = RandomArrays.Normal(random, rows * cols);
        var g = RandomArrays.Normal(random, cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tg = Tensor.FromArray(device, g, cols);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.ColumnSum(tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        var scale = ReferenceOps.ColumnSum(ReferenceOps.Abs(x.ToDouble()), rows, cols).Max();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(new[] { cols }));
            // Each column is a `rows`-term sum.
            Close.Assert(y.ToArray(), ReferenceOps.ColumnSum(x.ToDouble(), rows, cols), Tolerance.Accumulation(rows) * scale, 0, "ColumnSum y");
            // dx[r, j] = g[j]: a broadcast copy, exact.
            Close.Assert(dx.ToArray(), ReferenceOps.ColumnSumBackward(g.ToDouble(), rows), 0, 0, "ColumnSum dx");
        }
    }

    [TestCaseSource(nameof(MatrixShapes))]
    public void ArgMax_WithManyTies_MatchesReference(int rows, int cols)
    {
        // Small integers make ties common: the first maximum must win.
        var x = SmallIntegers(new Random(42), rows * cols);
        using var tx = Tensor.FromArray(Device, x, rows, cols);

        Assert.That(Ops.ArgMax(tx), Is.EqualTo(ReferenceOps.ArgMax(x.ToDouble(), rows, cols)));
    }

    [Test]
    public void ArgMax_Infinities_AndExtremes()
    {
        float n = float.NegativeInfinity, p = float.PositiveInfinity, max = float.MaxValue;
        float[] x = [n, n, n, n, -3, n, max, p, p, -0f, 0f, -1e-30f, 1e-30f, 1e-30f, 0f];   // (5, 3)
        using var tx = Tensor.FromArray(Device, x, 5, 3);

        Assert.That(Ops.ArgMax(tx), Is.EqualTo(ReferenceOps.ArgMax(x.ToDouble(), 5, 3)).And.EqualTo(new[] { 0, 1, 1, 0, 0 }));
    }

    [TestCaseSource(nameof(MatrixShapes))]
    public void Accuracy_MatchesReference(int rows, int cols)
    {
        var random = new Random(43);
        var x = SmallIntegers(random, rows * cols);
        // About half the labels are the first argmax, the rest random: accuracy is neither 0 nor 1 by construction.
        var argMax = ReferenceOps.ArgMax(x.ToDouble(), rows, cols);
        var labels = argMax.Select(a => random.Next(2) == 0 ? a : random.Next(cols)).ToArray();
        using var tx = Tensor.FromArray(Device, x, rows, cols);
        using var tl = Labels.FromArray(Device, labels, cols);

        double accuracy = Ops.Accuracy(tx, tl);

        // The count of correct rows is an exact small integer and the division is done in double, as the reference does: exact.
        double expected = ReferenceOps.Accuracy(x.ToDouble(), labels, rows, cols);
        Assert.That(accuracy, Is.EqualTo(expected), $"Accuracy {rows}x{cols}");
    }

    /// <summary>
    /// The total kernel launched as on a GPU (one group of 256 threads, strided partial sums, then a shared-memory
    /// tree), on the CPU emulator: the reduction the CPU launch shape (one thread) never runs.
    /// </summary>
    [TestCase(1)]
    [TestCase(13)]
    [TestCase(256)]
    [TestCase(1000)]
    public void Total_WithAGpuGroup_MatchesReference(int n)
    {
        var device = TestDevices.GpuKernels;
        var x = RandomArrays.Normal(new Random(46), n).Select(v => v + 0.5f).ToArray();
        const float scale = 0.25f;
        using var tx = Tensor.FromArray(device, x, n);
        using var total = Tensor.FromArray(device, [float.NaN], 1);
        var kernel = GpuLaunch.Find<Action<ArrayView<float>, ArrayView<float>, int, float>>(typeof(ReductionKernels), "TotalKernel");
        var launch = device.Kernels.Load(kernel, static (a, k) => a.LoadStreamKernel(k));

        launch(new KernelConfig(1, 256), tx.View, total.View, n, scale);

        // An n-term sum, then an exact scaling by a power of two.
        var xd = x.ToDouble();
        Close.Assert(total.ToArray(), [scale * ReferenceOps.Sum(xd)], Tolerance.Accumulation(n) * scale * ReferenceOps.Sum(ReferenceOps.Abs(xd)), 0, "total");
    }

    /// <summary>
    /// The chunk sums of a large total launched as on a GPU (256-thread groups), on the CPU emulator: two groups over
    /// eleven or four chunks (the grid-stride loop), chunks shorter and longer than the group, the last one short.
    /// </summary>
    [TestCase(1000, 96)]
    [TestCase(1000, 300)]
    [TestCase(5, 16384)]
    public void ChunkSums_WithGpuGroups_MatchReference(int n, int chunk)
    {
        var device = TestDevices.GpuKernels;
        var x = RandomArrays.Normal(new Random(47), n).Select(v => v + 0.5f).ToArray();
        int chunks = (n + chunk - 1) / chunk;
        using var tx = Tensor.FromArray(device, x, n);
        using var partials = Tensor.Constant(device, float.NaN, chunks);
        var kernel = GpuLaunch.Find<Action<ArrayView<float>, ArrayView<float>, int, int>>(typeof(ReductionKernels), "ChunkSumsKernel");
        var launch = device.Kernels.Load(kernel, static (a, k) => a.LoadStreamKernel(k));

        launch(new KernelConfig(2, 256), tx.View, partials.View, n, chunk);

        var got = partials.ToArray();
        using (Assert.EnterMultipleScope())
        {
            for (int c = 0; c < chunks; c++)
            {
                var part = x.Skip(c * chunk).Take(chunk).ToArray().ToDouble();
                Close.Assert([got[c]], [ReferenceOps.Sum(part)], Tolerance.Accumulation(part.Length) * ReferenceOps.Sum(ReferenceOps.Abs(part)), 0, $"chunk {c}");
            }
        }
    }

    /// <summary>A total takes one launch up to what one group sums, two beyond (on ILGPU devices; the host path launches nothing).</summary>
    [TestCase(ReductionKernels.OneGroupTotal, 1)]
    [TestCase(ReductionKernels.OneGroupTotal + 1, 2)]
    public void Total_LaunchesOneKernel_UpToOneGroupsWorth(int n, int launches)
    {
        var device = TestDevices.GpuKernels;
        using var x = Tensor.Constant(device, 0.5f, n);
        using var y = Tensor.Constant(device, float.NaN, 1);
        long before = device.KernelLaunches;

        ReductionKernels.Total(x, y, 2f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(device.KernelLaunches - before, Is.EqualTo(launches));
            Assert.That(y.ToArray()[0], Is.EqualTo(n), "2·Σ 0.5, exact");
        }
    }

    private void AssertTotal(int[] shape, bool mean)
    {
        var device = Device;
        int n = shape.Aggregate(1, (p, d) => p * d);
        var random = new Random(mean ? 44 : 45);
        // A non-zero mean, so the result is not lost in its own rounding error.
        var x = RandomArrays.Normal(random, n).Select(v => v + 0.5f).ToArray();
        float w = (float)(1 + random.NextDouble());
        using var tx = Tensor.FromArray(device, x, shape);
        using var tw = Tensor.FromArray(device, [w], 1);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = mean ? Ops.Mean(tx) : Ops.Sum(tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tw), tx)[0]!;

        var xd = x.ToDouble();
        double sumAbs = ReferenceOps.Sum(ReferenceOps.Abs(xd));
        string op = mean ? "Mean" : "Sum";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.Empty, $"{op} returns a scalar");
            Assert.That(dx.Shape, Is.EqualTo(shape));
            if (mean)
            {
                // An n-term sum (γ(n)·Σ|x|/n), then the reciprocal of n and the product round once each.
                Close.Assert([y.Item()], [ReferenceOps.Mean(xd)], Tolerance.Accumulation(n) * sumAbs / n, 3 * Tolerance.U, "Mean y");
                // w·(1/n): the same two roundings.
                Close.Assert(dx.ToArray(), ReferenceOps.MeanBackward(w, n), 0, 3 * Tolerance.U, "Mean dx");
            }
            else
            {
                Close.Assert([y.Item()], [ReferenceOps.Sum(xd)], Tolerance.Accumulation(n) * sumAbs, 0, "Sum y");
                // w·1, broadcast: exact.
                Close.Assert(dx.ToArray(), ReferenceOps.SumBackward(w, n), 0, 0, "Sum dx");
            }
        }
    }

    private static float[] SmallIntegers(Random random, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)random.Next(-2, 3))];
}
