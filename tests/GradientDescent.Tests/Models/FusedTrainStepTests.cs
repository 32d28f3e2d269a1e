using ILGPU;
using ILGPU.Runtime;
using NUnit.Framework;
using Variant = GradientDescent.MatMulKernels.Variant;

namespace GradientDescent.Tests;

/// <summary>
/// <see cref="TwoLayerNet.TrainStep"/> on the ILGPU kernels (GPUs and the CPU emulator), where it runs the fused
/// sequence: its loss and updated parameters against a twin net trained through the tape (the unfused kernels) with
/// the same optimiser, its gradients against the float64 reference, its launches per step counted, and its memory.
/// </summary>
/// <remarks>
/// Two paths: <c>auto</c> is the device's own choice of products (row-streaming on the emulator, blocked on a GPU);
/// <c>blocked-split</c> forces the blocked GEMM and a split-k target of 64 groups, on <see cref="TestDevices.GpuKernels"/>
/// (the emulator with 256-thread groups when no GPU is under test), so that depths of 128 and more split over groups.
/// Shapes are awkward on purpose: a batch of 1, primes, hidden widths that are not multiples of 4 or of the 64-wide
/// block, depths (inputs, batch) of 130 that leave a partial slab in the last split.
/// </remarks>
[TestFixture]
public sealed class FusedTrainStepTests
{
    private static readonly (int Inputs, int Hidden, int Classes, int Batch)[] s_shapes =
        [(7, 13, 5, 1), (13, 7, 3, 13), (130, 67, 10, 7), (10, 33, 4, 130)];

    /// <summary>
    /// Every shape with and without biases and momentum on the device's own path; on the blocked split-k path (3–6 s a
    /// case on the emulator) biases with momentum and neither, since the optimiser's launch is the same on both paths.
    /// </summary>
    public static IEnumerable<TestCaseData> Cases() =>
        from path in new[] { "auto", "blocked-split" }
        from s in s_shapes
        from bias in new[] { true, false }
        from momentum in new[] { 0f, 0.9f }
        where path == "auto" || bias == (momentum != 0f)
        select new TestCaseData(path, s.Inputs, s.Hidden, s.Classes, s.Batch, bias, momentum)
            .SetName($"{{m}}({path}, {s.Inputs}-{s.Hidden}-{s.Classes}, batch {s.Batch}{(bias ? ", bias" : ", no bias")}{(momentum != 0 ? ", momentum" : string.Empty)})");

    /// <summary>The ILGPU device under test: the emulated CPU kernels by default, else the GPU under test.</summary>
    private static ComputeDevice IlgpuDevice =>
        TestDevices.UnderTest.Select(d => d.Device).FirstOrDefault(d => !d.UsesHostKernels) ?? TestDevices.GpuKernels;

    [TestCaseSource(nameof(Cases))]
    public void TrainStep_MatchesTheTapeAndTheFloat64Reference(
        string path, int inputs, int hidden, int classes, int batch, bool useBias, float momentum)
    {
        var device = Device(path);
        var options = new TwoLayerNetOptions { Inputs = inputs, Hidden = hidden, Classes = classes, UseBias = useBias, Seed = 61 };
        using var fused = Configure(new TwoLayerNet(device, options), path);
        using var taped = new TwoLayerNet(device, options);
        Assert.That(fused.UsesFusedStep, Is.True, "the fused sequence runs on this device");
        RandomBiases(fused, taped, seed: 62);
        var (xValues, labelValues) = TwoLayerNetTests.Problem(batch, inputs, classes, seed: 63);
        using var x = Tensor.FromArray(device, xValues, batch, inputs);
        using var labels = Labels.FromArray(device, labelValues, classes);
        using var fusedSgd = new SgdStep(0.3f, momentum);
        using var tapedSgd = new SgdStep(0.3f, momentum);
        var reference = TwoLayerNetReference.For(fused);

        // Three steps, so that momentum's velocity is used after it is set.
        for (int step = 0; step < 3; step++)
        {
            var expected = reference.Evaluate(TwoLayerNetTests.Doubles(xValues), labelValues, TwoLayerNetReference.Parameters(fused));
            float fusedLoss = fused.TrainStep(x, labels, fusedSgd).Item();
            float tapedLoss;
            using (var tape = new GradientTape())
            {
                var loss = taped.Loss(x, labels);
                tapedLoss = loss.Item();
                tapedSgd.Apply(taped.Parameters, tape.Gradient(loss, [.. taped.Parameters]));
            }

            using (Assert.EnterMultipleScope())
            {
                Assert.That(fusedLoss, Is.EqualTo(expected.Loss).Within(1e-4 * Math.Max(1, expected.Loss)), $"loss at step {step} against float64");
                Assert.That(fusedLoss, Is.EqualTo(tapedLoss).Within(1e-4 * Math.Max(1, tapedLoss)), $"loss at step {step} against the tape");
                for (int s = 0; s < fused.Gradients.Count; s++)
                {
                    // Chained sums of up to 130 terms (h, then dlogits, then the product), each γ(130) ≈ 8e-6 of its Σ|terms|:
                    // 1e-4 of the largest gradient, where one missing term of a 130-term sum would be about 1e-2.
                    double scale = Math.Max(expected.Gradients[s].Max(Math.Abs), 1e-3);
                    Close.Assert(fused.Gradients[s].ToArray(), expected.Gradients[s], 1e-4 * scale, 1e-4, $"gradient {s} at step {step}");
                    Close.Assert(fused.Parameters[s].ToArray(), TwoLayerNetTests.Doubles(taped.Parameters[s].ToArray()), 1e-5, 1e-5,
                        $"parameter {s} after step {step}");
                }
            }
        }
    }

    [TestCase("auto", true, 6)]
    [TestCase("auto", false, 5)]
    [TestCase("blocked-split", true, 6)]
    [TestCase("blocked-split", false, 5)]
    public void TrainStep_LaunchesAtMostSevenKernels(string path, bool useBias, int launches)
    {
        var device = Device(path);
        using var net = Configure(new TwoLayerNet(device, new TwoLayerNetOptions { Inputs = 130, Hidden = 20, Classes = 10, UseBias = useBias }), path);
        var (xValues, labelValues) = TwoLayerNetTests.Problem(9, 130, 10, seed: 64);
        using var x = Tensor.FromArray(device, xValues, 9, 130);
        using var labels = Labels.FromArray(device, labelValues, 10);
        using var sgd = new SgdStep(0.1f, momentum: 0.9f);
        net.TrainStep(x, labels, sgd).Item();

        long before = device.KernelLaunches;
        net.TrainStep(x, labels, sgd).Item();
        long perStep = device.KernelLaunches - before;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(perStep, Is.EqualTo(launches), "kernel launches per step");
            Assert.That(perStep, Is.LessThanOrEqualTo(7));
        }
    }

    [Test]
    public void TrainStep_TooManyClassesForTheOutputLayerKernel_RunsTheUnfusedSequence()
    {
        var device = IlgpuDevice;
        int classes = OutputLayerKernels.MaxClasses + 1;
        using var net = new TwoLayerNet(device, new TwoLayerNetOptions { Inputs = 3, Hidden = 2, Classes = classes });
        using var x = Tensor.FromArray(device, [1f, -2f, 0.5f, 0.25f, 1f, -1f], 2, 3);
        using var labels = Labels.FromArray(device, [0, classes - 1], classes);
        using var sgd = new SgdStep(0.1f);
        net.TrainStep(x, labels, sgd).Item();

        long before = device.KernelLaunches;
        float loss = net.TrainStep(x, labels, sgd).Item();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(net.UsesFusedStep, Is.False);
            Assert.That(device.KernelLaunches - before, Is.EqualTo(13), "the unfused sequence's launches");
            Assert.That(loss, Is.Positive);
        }
    }

    [TestCase("auto")]
    [TestCase("blocked-split")]
    public void TrainStep_AllocatesNothingAfterTheFirstStep_NorOnBadInput(string path)
    {
        var device = Device(path);
        using var net = Configure(new TwoLayerNet(device, new TwoLayerNetOptions { Inputs = 130, Hidden = 33, Classes = 10 }), path);
        var (xValues, labelValues) = TwoLayerNetTests.Problem(16, 130, 10, seed: 65);
        using var x = Tensor.FromArray(device, xValues, 16, 130);
        using var labels = Labels.FromArray(device, labelValues, 10);
        using var smallBatch = x.Rows(0, 5);
        using var smallLabels = Labels.FromArray(device, labelValues.AsSpan(0, 5), 10);
        using var wrongWidth = Tensor.Zeros(device, 4, 129);
        using var fewLabels = Labels.FromArray(device, [0, 1, 2], 10);
        using var sgd = new SgdStep(0.05f, momentum: 0.5f);
        var first = net.TrainStep(x, labels, sgd);
        long after = device.AllocatedBytes;

        var losses = new List<float>();
        for (int step = 0; step < 6; step++)
        {
            var loss = step % 2 == 1 ? net.TrainStep(smallBatch, smallLabels, sgd) : net.TrainStep(x, labels, sgd);
            Assert.That(loss, Is.SameAs(first), "the loss tensor is reused");
            losses.Add(loss.Item());
        }

        long afterSteps = device.AllocatedBytes;
        Assert.That(() => net.TrainStep(wrongWidth, fewLabels, sgd), Throws.ArgumentException);
        Assert.That(() => net.TrainStep(x, fewLabels, sgd), Throws.ArgumentException);
        float lossAfterBadInput = net.TrainStep(x, labels, sgd).Item();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterSteps, Is.EqualTo(after), "bytes after the steps");
            Assert.That(device.AllocatedBytes, Is.EqualTo(after), "bytes after the bad input and one more step");
            Assert.That(losses, Is.All.Positive);
            Assert.That(float.IsFinite(lossAfterBadInput), Is.True);
        }
    }

    /// <summary>
    /// The output-layer kernel launched with GPU groups (the emulator's launch shape gives one thread per group): a
    /// logit summed in slices of the hidden units when the group is wider than the classes, several rows per group
    /// (grid-stride), the mean by the last group to finish, and its counter back at 0.
    /// </summary>
    [TestCase(5, 7, 3, 32, 2, true)]
    [TestCase(5, 7, 3, 32, 2, false)]
    [TestCase(13, 67, 10, 64, 4, true)]
    [TestCase(7, 13, 40, 32, 3, true)]
    [TestCase(3, 100, 256, 256, 2, false)]
    [TestCase(1, 1, 2, 32, 1, true)]
    [TestCase(9, 130, 11, 256, 9, true)]
    public void OutputLayerKernel_WithGpuGroups_MatchesFloat64(int rows, int hidden, int classes, int groupSize, int groups, bool useBias)
    {
        var device = TestDevices.GpuKernels;
        var random = new Random(66);
        int ldh = ((hidden + 1 + 3) / 4) * 4;
        // Half the activations are 0, as after a ReLU, so the mask of dh is tested; the padding holds NaN (never read).
        var h = new float[rows * ldh];
        Array.Fill(h, float.NaN);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < hidden; j++)
            {
                float v = (float)random.NextDouble() * 2 - 1;
                h[(r * ldh) + j] = v > 0 ? v : 0f;
            }
        }

        var w2 = RandomArrays.Normal(random, hidden * classes, 0.5);
        var b2 = RandomArrays.Normal(random, classes, 0.5);
        var labelValues = RandomArrays.Labels(random, rows, classes);
        float scale = 1f / rows;
        using var th = Tensor.FromArray(device, h, h.Length);
        using var tw2 = Tensor.FromArray(device, w2, hidden, classes);
        using var tb2 = Tensor.FromArray(device, b2, classes);
        using var labels = Labels.FromArray(device, labelValues, classes);
        using var dlogits = Tensor.FromArray(device, Enumerable.Repeat(float.NaN, rows * classes).ToArray(), rows, classes);
        using var dh = Tensor.FromArray(device, Enumerable.Repeat(float.NaN, rows * hidden).ToArray(), rows, hidden);
        using var rowLoss = Tensor.FromArray(device, Enumerable.Repeat(float.NaN, rows).ToArray(), rows);
        using var loss = Tensor.FromArray(device, [float.NaN], 1);
        using var counter = Tensor.Zeros(device, 1);
        var kernel = GpuLaunch.Find<Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, OutputLayerShape>>(typeof(OutputLayerKernels), "OutputLayerKernel");
        var launch = device.Kernels.Load(kernel, static (a, k) => a.LoadStreamKernel(k));

        launch(new KernelConfig(groups, groupSize), th.View, tw2.View, tb2.View, labels.View, dlogits.View, dh.View, rowLoss.View,
            loss.View, counter.View.Cast<int>(), new OutputLayerShape(rows, hidden, classes, ldh, useBias ? 1 : 0, scale));

        var (expectedD, expectedDh, expectedLoss) = Reference(h, ldh, w2, useBias ? b2 : new float[classes], labelValues, rows, hidden, classes, scale);
        // Each logit is a (hidden + 1)-term sum: γ(hidden + 1) of its Σ|terms|, at most absSum.
        double maxLogit = 0, absSum = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < classes; c++)
            {
                double z = useBias ? b2[c] : 0, sum = useBias ? Math.Abs(b2[c]) : 0;
                for (int j = 0; j < hidden; j++)
                {
                    z += h[(r * ldh) + j] * w2[(j * classes) + c];
                    sum += Math.Abs(h[(r * ldh) + j] * w2[(j * classes) + c]);
                }

                maxLogit = Math.Max(maxLogit, Math.Abs(z));
                absSum = Math.Max(absSum, sum);
            }
        }

        // The loss and softmax change by at most twice the largest logit error; dh = Σ_c d_c·w_jc with Σ|d_c| ≤ 2·scale.
        double logitError = Tolerance.Accumulation(hidden + 1) * absSum;
        double maxW = w2.Max(v => Math.Abs((double)v));
        double dTolerance = (Tolerance.Softmax(classes) + (2 * logitError)) * scale;
        double lossTolerance = Tolerance.LogSoftmax(classes, maxLogit) + (2 * logitError);
        double dhTolerance = (Tolerance.Accumulation(classes) * 2 * scale * maxW) + (dTolerance * classes * maxW);
        using (Assert.EnterMultipleScope())
        {
            Close.Assert(dlogits.ToArray(), expectedD, dTolerance, 0, "dlogits");
            Close.Assert(dh.ToArray(), expectedDh, dhTolerance, 0, "dh");
            Close.Assert(rowLoss.ToArray(), expectedLoss, lossTolerance, 0, "row losses");
            Close.Assert(loss.ToArray(), [scale * expectedLoss.Sum()], lossTolerance + (Tolerance.Accumulation(rows) * expectedLoss.Max()), 0, "mean loss");
            Assert.That(counter.ToArray(), Is.All.Zero, "the arrival counter is back at 0");
        }
    }

    private static ComputeDevice Device(string path) => path == "auto" ? IlgpuDevice : TestDevices.GpuKernels;

    private static TwoLayerNet Configure(TwoLayerNet net, string path)
    {
        if (path == "blocked-split")
        {
            net.StepVariant = Variant.Blocked;
            net.StepTargetGroups = 64;
        }

        return net;
    }

    /// <summary>Both nets get the same random biases (they start at zero), so that the bias terms are really tested.</summary>
    private static void RandomBiases(TwoLayerNet a, TwoLayerNet b, int seed)
    {
        if (a.B1 is null || a.B2 is null || b.B1 is null || b.B2 is null)
        {
            return;
        }

        var random = new Random(seed);
        foreach (var (x, y) in new[] { (a.B1, b.B1), (a.B2, b.B2) })
        {
            var values = RandomArrays.Normal(random, x.Length, 0.3);
            using var source = Tensor.FromArray(a.Device, values, x.Length);
            source.View.CopyTo(x.View);
            source.View.CopyTo(y.View);
        }
    }

    private static (double[] D, double[] Dh, double[] Loss) Reference(
        float[] h, int ldh, float[] w2, float[] b2, int[] labels, int rows, int hidden, int classes, double scale)
    {
        var d = new double[rows * classes];
        var dh = new double[rows * hidden];
        var loss = new double[rows];
        var z = new double[classes];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < classes; c++)
            {
                z[c] = b2[c];
                for (int j = 0; j < hidden; j++)
                {
                    z[c] += h[(r * ldh) + j] * (double)w2[(j * classes) + c];
                }
            }

            double max = z.Max();
            double sum = z.Sum(v => Math.Exp(v - max));
            loss[r] = max + Math.Log(sum) - z[labels[r]];
            for (int c = 0; c < classes; c++)
            {
                double p = Math.Exp(z[c] - max) / sum;
                d[(r * classes) + c] = scale * (c == labels[r] ? p - 1 : p);
            }

            for (int j = 0; j < hidden; j++)
            {
                double acc = 0;
                for (int c = 0; c < classes; c++)
                {
                    acc += d[(r * classes) + c] * w2[(j * classes) + c];
                }

                dh[(r * hidden) + j] = h[(r * ldh) + j] > 0 ? acc : 0;
            }
        }

        return (d, dh, loss);
    }
}
