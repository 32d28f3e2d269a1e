using ILGPU;
using ILGPU.Runtime;
using NUnit.Framework;
using Kernel = GradientDescent.SoftmaxKernels;

namespace GradientDescent.Tests;

/// <summary>
/// LogSoftmax and the fused softmax cross-entropy (sparse labels and dense targets), forward and backward,
/// against the float64 reference: one class, prime and odd widths, rows wider than a 256-thread group, and
/// logits of ±1000, where any kernel that exponentiates before subtracting the row maximum overflows.
/// </summary>
/// <remarks>Tolerances are derived in <see cref="Tolerance.LogSoftmax"/> and <see cref="Tolerance.Softmax"/>.</remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class SoftmaxCrossEntropyTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    public static IEnumerable<SoftmaxCase> Cases() =>
    [
        new(1, 1, 3), new(5, 1, 1000), new(1, 2, 3), new(7, 13, 3), new(17, 10, 3), new(33, 31, 5),
        new(5, 300, 3), new(64, 10, 3), new(7, 13, 1000), new(4, 300, 1000), new(3, 4, 0),
    ];

    [TestCaseSource(nameof(Cases))]
    public void LogSoftmax_ForwardAndBackward_MatchReference(SoftmaxCase c)
    {
        var device = Device;
        var (x, random) = c.Logits(seed: 31);
        var g = RandomArrays.Normal(random, c.Rows * c.Cols);
        using var tx = Tensor.FromArray(device, x, c.Rows, c.Cols);
        using var tg = Tensor.FromArray(device, g, c.Rows, c.Cols);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.LogSoftmax(tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        var yTolerance = Tolerance.LogSoftmax(c.Cols, MaxAbs(x));
        // dx = g − exp(y)·Σg: exp(y) inherits y's absolute error as relative error, Σg adds γ(cols), and the
        // product and difference round once each; all scaled by the row's Σ|g|.
        var gScale = RowAbsSums(g, c.Cols).Max();
        var dxTolerance = (yTolerance + Tolerance.Accumulation(c.Cols) + (4 * Tolerance.U)) * gScale;
        using (Assert.EnterMultipleScope())
        {
            Close.Assert(y.ToArray(), ReferenceOps.LogSoftmax(x.ToDouble(), c.Rows, c.Cols), yTolerance, 0, $"LogSoftmax y {c}");
            Close.Assert(dx.ToArray(), ReferenceOps.LogSoftmaxBackward(x.ToDouble(), g.ToDouble(), c.Rows, c.Cols),
                dxTolerance, 0, $"LogSoftmax dx {c}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Sparse_LossAndGradient_MatchReference(SoftmaxCase c)
    {
        var device = Device;
        var (x, random) = c.Logits(seed: 32);
        var labels = RandomArrays.Labels(random, c.Rows, c.Cols);
        var g = RandomArrays.Normal(random, c.Rows);
        using var tx = Tensor.FromArray(device, x, c.Rows, c.Cols);
        using var tl = Labels.FromArray(device, labels, c.Cols);

        var (loss, dx) = LossAndGradient(tx, g, logits => Ops.SoftmaxCrossEntropy(logits, tl));

        using (Assert.EnterMultipleScope())
        {
            // loss = −log softmax at the label: the log-softmax bound.
            Close.Assert(loss, ReferenceOps.SoftmaxCrossEntropy(x.ToDouble(), labels, c.Rows, c.Cols),
                Tolerance.LogSoftmax(c.Cols, MaxAbs(x)), 0, $"sparse loss {c}");
            // dx = g·(softmax − onehot): the softmax bound, scaled by |g| (its product rounds once more).
            Close.Assert(dx, ReferenceOps.SoftmaxCrossEntropyBackward(x.ToDouble(), labels, g.ToDouble(), c.Rows, c.Cols),
                Tolerance.Softmax(c.Cols) * MaxAbs(g), Tolerance.OneRounding, $"sparse dlogits {c}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Dense_SoftTargets_LossAndGradient_MatchReference(SoftmaxCase c)
    {
        var device = Device;
        var (x, random) = c.Logits(seed: 33);
        var targets = RandomArrays.Distributions(random, c.Rows, c.Cols);
        var g = RandomArrays.Normal(random, c.Rows);
        using var tx = Tensor.FromArray(device, x, c.Rows, c.Cols);
        using var tt = Tensor.FromArray(device, targets, c.Rows, c.Cols);

        var (loss, dx) = LossAndGradient(tx, g, logits => Ops.SoftmaxCrossEntropy(logits, tt));

        var maxTargetSum = RowAbsSums(targets, c.Cols).Max();
        // loss = (max + log S)·Σt − Σ t·x: the log-softmax bound per unit of target mass, plus the two cols-term
        // sums Σt and Σ t·x, which err by γ(cols) relative to Σt·(1 + max|x|).
        var lossTolerance = maxTargetSum * (Tolerance.LogSoftmax(c.Cols, MaxAbs(x))
            + (2 * Tolerance.Accumulation(c.Cols) * (1 + MaxAbs(x) + Math.Log(c.Cols))));
        // dx = g·(softmax·Σt − t): the softmax bound, plus γ(cols) for Σt.
        var dxTolerance = (Tolerance.Softmax(c.Cols) + Tolerance.Accumulation(c.Cols)) * maxTargetSum * MaxAbs(g);
        using (Assert.EnterMultipleScope())
        {
            Close.Assert(loss, ReferenceOps.SoftmaxCrossEntropy(x.ToDouble(), targets.ToDouble(), c.Rows, c.Cols),
                lossTolerance, 0, $"dense loss {c}");
            Close.Assert(dx, ReferenceOps.SoftmaxCrossEntropyBackward(x.ToDouble(), targets.ToDouble(), g.ToDouble(), c.Rows, c.Cols),
                dxTolerance, Tolerance.OneRounding, $"dense dlogits {c}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Dense_OneHotTargets_EqualSparseLabels(SoftmaxCase c)
    {
        var device = Device;
        var (x, random) = c.Logits(seed: 34);
        var labels = RandomArrays.Labels(random, c.Rows, c.Cols);
        var g = RandomArrays.Normal(random, c.Rows);
        using var tx = Tensor.FromArray(device, x, c.Rows, c.Cols);
        using var tl = Labels.FromArray(device, labels, c.Cols);
        using var tt = Tensor.FromArray(device, [.. ReferenceOps.OneHot(labels, c.Cols).Select(v => (float)v)], c.Rows, c.Cols);

        var (sparseLoss, sparseDx) = LossAndGradient(tx, g, logits => Ops.SoftmaxCrossEntropy(logits, tl));
        var (denseLoss, denseDx) = LossAndGradient(tx, g, logits => Ops.SoftmaxCrossEntropy(logits, tt));

        var expectedLoss = ReferenceOps.SoftmaxCrossEntropy(x.ToDouble(), labels, c.Rows, c.Cols);
        var expectedDx = ReferenceOps.SoftmaxCrossEntropyBackward(x.ToDouble(), labels, g.ToDouble(), c.Rows, c.Cols);
        var lossTolerance = Tolerance.LogSoftmax(c.Cols, MaxAbs(x));
        var dxTolerance = Tolerance.Softmax(c.Cols) * MaxAbs(g);
        using (Assert.EnterMultipleScope())
        {
            // With one-hot targets Σt = 1 and Σ t·x = x[label] are exact, so both forms are held to the sparse bounds.
            Close.Assert(denseLoss, expectedLoss, lossTolerance, 0, $"dense one-hot loss {c}");
            Close.Assert(denseDx, expectedDx, dxTolerance, Tolerance.OneRounding, $"dense one-hot dlogits {c}");
            Close.Assert(denseLoss, sparseLoss.ToDouble(), lossTolerance, 0, $"dense one-hot vs sparse loss {c}");
            Close.Assert(denseDx, sparseDx.ToDouble(), dxTolerance, Tolerance.OneRounding, $"dense one-hot vs sparse dlogits {c}");
        }
    }

    [Test]
    public void LargeLogits_GiveFiniteLossesAndGradients()
    {
        // Rows (3): equal logits 1000 (softmax uniform), the label far below the rest, the label far above.
        float[] x = [1000, 1000, 1000, -1000, 1000, 1000, 1000, -1000, -1000];
        int[] labels = [0, 0, 0];
        using var tx = Tensor.FromArray(Device, x, 3, 3);
        using var tl = Labels.FromArray(Device, labels, 3);

        var (loss, dx) = LossAndGradient(tx, [1, 1, 1], logits => Ops.SoftmaxCrossEntropy(logits, tl));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(loss, Has.All.Matches<float>(float.IsFinite), "losses are finite");
            Assert.That(dx, Has.All.Matches<float>(float.IsFinite), "gradients are finite");
            // log 3; 2000 + log 2 (float32 spacing at 2000 is 1.2e-4); exp(−2000) underflows to exactly 0.
            Close.Assert(loss, [Math.Log(3), 2000 + Math.Log(2), 0], Tolerance.LogSoftmax(3, 1000), 0, "losses");
            Close.Assert(dx, [-2.0 / 3, 1.0 / 3, 1.0 / 3, -1, 0.5, 0.5, 0, 0, 0], Tolerance.Softmax(3), 0, "dlogits");
        }
    }

    /// <summary>
    /// The four row-wise kernels launched as on a GPU (32- to 256-thread groups reducing through shared memory,
    /// fewer groups than rows), on the CPU emulator: the reductions the CPU launch shape never runs.
    /// </summary>
    [TestCase(3, 13, 3.0, TestName = "{m}(3x13 logits in [-3,3], groups of 32)")]
    [TestCase(5, 64, 3.0, TestName = "{m}(5x64 logits in [-3,3], groups of 64)")]
    [TestCase(3, 300, 1000.0, TestName = "{m}(3x300 logits in [-1000,1000], groups of 256)")]
    public void RowKernels_WithGpuGroups_MatchReference(int rows, int cols, double scale)
    {
        var device = TestDevices.GpuKernels;
        var c = new SoftmaxCase(rows, cols, scale);
        var (x, random) = c.Logits(seed: 35);
        // Row 0 is −scale but for one +scale in an odd lane: a row maximum that misses any lane overflows exp.
        Array.Fill(x, (float)-scale, 0, cols);
        x[1] = (float)scale;
        var labels = RandomArrays.Labels(random, rows, cols);
        var targets = RandomArrays.Distributions(random, rows, cols);
        var g = RandomArrays.Normal(random, rows * cols);
        const float factor = 0.5f;
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tl = Labels.FromArray(device, labels, cols);
        using var tt = Tensor.FromArray(device, targets, rows, cols);
        using var tg = Tensor.FromArray(device, g, rows, cols);
        using var loss = Tensor.Zeros(device, rows);
        using var denseLoss = Tensor.Zeros(device, rows);
        using var dx = Tensor.Zeros(device, rows, cols);
        using var denseDx = Tensor.Zeros(device, rows, cols);
        using var y = Tensor.Zeros(device, rows, cols);
        using var dy = Tensor.Zeros(device, rows, cols);
        var config = GpuLaunch.RowGroups(rows, cols, maxGroups: 2);

        Launcher<Action<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float, int>,
            Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float, int>>(
            device, "SparseKernel", (a, k) => a.LoadStreamKernel(k))(config, tx.View, tl.View, loss.View, dx.View, rows, cols, factor, 1);
        Launcher<Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, int>,
            Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, int>>(
            device, "DenseKernel", (a, k) => a.LoadStreamKernel(k))(config, tx.View, tt.View, denseLoss.View, denseDx.View, rows, cols, factor, 1);
        Launcher<Action<ArrayView<float>, ArrayView<float>, int, int>, Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int>>(
            device, "LogSoftmaxKernel", (a, k) => a.LoadStreamKernel(k))(config, tx.View, y.View, rows, cols);
        Launcher<Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>,
            Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>>(
            device, "LogSoftmaxBackwardKernel", (a, k) => a.LoadStreamKernel(k))(config, tg.View, y.View, dy.View, rows, cols);

        var (xd, gd, td) = (x.ToDouble(), g.ToDouble(), targets.ToDouble());
        var halves = Enumerable.Repeat((double)factor, rows).ToArray();
        var logSoftmaxTolerance = Tolerance.LogSoftmax(cols, MaxAbs(x));
        // As in the tests above: dense adds γ(cols) for its two target sums; log-softmax backward for Σg.
        var denseLossTolerance = logSoftmaxTolerance + (2 * Tolerance.Accumulation(cols) * (1 + MaxAbs(x) + Math.Log(cols)));
        var dyTolerance = (logSoftmaxTolerance + Tolerance.Accumulation(cols) + (4 * Tolerance.U)) * RowAbsSums(g, cols).Max();
        using (Assert.EnterMultipleScope())
        {
            Close.Assert(loss.ToArray(), ReferenceOps.SoftmaxCrossEntropy(xd, labels, rows, cols), logSoftmaxTolerance, 0, "sparse loss");
            Close.Assert(dx.ToArray(), ReferenceOps.SoftmaxCrossEntropyBackward(xd, labels, halves, rows, cols),
                Tolerance.Softmax(cols) * factor, Tolerance.OneRounding, "sparse dlogits");
            Close.Assert(denseLoss.ToArray(), ReferenceOps.SoftmaxCrossEntropy(xd, td, rows, cols), denseLossTolerance, 0, "dense loss");
            Close.Assert(denseDx.ToArray(), ReferenceOps.SoftmaxCrossEntropyBackward(xd, td, halves, rows, cols),
                (Tolerance.Softmax(cols) + Tolerance.Accumulation(cols)) * factor, Tolerance.OneRounding, "dense dlogits");
            Close.Assert(y.ToArray(), ReferenceOps.LogSoftmax(xd, rows, cols), logSoftmaxTolerance, 0, "log-softmax y");
            Close.Assert(dy.ToArray(), ReferenceOps.LogSoftmaxBackward(xd, gd, rows, cols), dyTolerance, 0, "log-softmax dx");
        }
    }

    /// <summary>The device's cached launcher for a private kernel of <see cref="Kernel"/>, loaded on first use.</summary>
    private static TLauncher Launcher<TKernel, TLauncher>(ComputeDevice device, string name, Func<Accelerator, TKernel, TLauncher> load)
        where TKernel : Delegate
        where TLauncher : Delegate
    {
        var kernel = GpuLaunch.Find<TKernel>(typeof(Kernel), name);
        return device.Kernels.Load(kernel, load);
    }

    /// <summary>The per-example loss (rows) and d(Σ g·loss)/dlogits (rows, cols) through a tape, as host arrays.</summary>
    private static (float[] Loss, float[] DLogits) LossAndGradient(Tensor logits, float[] g, Func<Tensor, Tensor> lossOf)
    {
        using var tg = Tensor.FromArray(logits.Device, g, g.Length);
        using var tape = new GradientTape();
        tape.Watch(logits);
        var loss = lossOf(logits);
        var dx = tape.Gradient(Upstream.Weighted(loss, tg), logits)[0]!;
        Assert.That(loss.Shape, Is.EqualTo(new[] { logits.Shape[0] }), "loss shape");
        return (loss.ToArray(), dx.ToArray());
    }

    private static double[] RowAbsSums(float[] x, int cols) => [.. x.Chunk(cols).Select(row => row.Sum(v => (double)Math.Abs(v)))];

    private static double MaxAbs(float[] x) => x.Max(v => (double)Math.Abs(v));

    /// <summary>Logits U(−Scale, Scale) of shape (Rows, Cols); Scale 0 makes every logit 0 (uniform softmax, ties).</summary>
    public sealed record SoftmaxCase(int Rows, int Cols, double Scale)
    {
        public (float[] X, Random Random) Logits(int seed)
        {
            var random = new Random(seed);
            return (RandomArrays.Uniform(random, Rows * Cols, -Scale, Scale), random);
        }

        public override string ToString() => $"{Rows}x{Cols} logits in [-{Scale},{Scale}]";
    }
}
