using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// SgdStep with momentum, dampening, Nesterov and weight decay against the float64 torch.optim.SGD reference over
/// five steps, on both paths: one launch per parameter, and one fused launch over parameters that tile one buffer.
/// </summary>
/// <remarks>
/// Tolerance: the reference carries a first-order bound on each element's float32 error through the steps
/// (<see cref="ReferenceOps.SgdStepsBound"/>): every rounding adds u times the value it rounds, and earlier errors
/// propagate through λ·w, μ·v and lr·step. A fused multiply-add only rounds less.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class SgdMomentumTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private const int Steps = 5;

    private static readonly int[][] Shapes = [[7, 13], [13], [13, 5], [5]];

    /// <summary>(lr, μ, τ, λ, Nesterov); the values are not powers of two, so every product rounds.</summary>
    public static IEnumerable<TestCaseData> Settings() =>
        from s in new (float Lr, float Momentum, float Dampening, float WeightDecay, bool Nesterov)[]
        {
            (0.1f, 0.9f, 0, 0, false), (0.1f, 0.9f, 0.5f, 0, false), (0.1f, 0.9f, 0, 0, true), (0.05f, 0, 0, 0.01f, false),
            (0.1f, 0.9f, 0, 0.01f, true), (0.2f, 0.5f, 0.1f, 0.1f, false), (0.3f, 0, 0, 0, false),
        }
        from fused in new[] { false, true }
        select new TestCaseData(s.Lr, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov, fused)
            .SetArgDisplayNames(new TorchSgd(s.Lr, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov).ToString(), fused ? "one buffer" : "separate tensors");

    [TestCaseSource(nameof(Settings))]
    public void FiveSteps_MatchTorchSgd(float lr, float momentum, float dampening, float weightDecay, bool nesterov, bool fused)
    {
        var device = Device;
        using var sgd = new SgdStep(lr, momentum, dampening, weightDecay, nesterov);
        var random = new Random(191);
        var w0 = Shapes.Select(s => RandomArrays.Normal(random, Length(s))).ToArray();
        var grads = Enumerable.Range(0, Steps).Select(_ => Shapes.Select(s => RandomArrays.Normal(random, Length(s))).ToArray()).ToArray();
        using var parameters = new ParameterSet(device, Shapes, w0, fused);
        for (int t = 0; t < Steps; t++)
        {
            using var gradients = new ParameterSet(device, Shapes, grads[t], fused);
            long launches = device.KernelLaunches;
            sgd.Apply(parameters.Tensors, gradients.Tensors);
            if (!device.UsesHostKernels)
            {
                // The host runs the same sequence as plain calls and does not count them.
                Assert.That(device.KernelLaunches - launches, Is.EqualTo(fused ? 1 : Shapes.Length), $"step {t}: launches");
            }
        }

        using (Assert.EnterMultipleScope())
        {
            for (int p = 0; p < Shapes.Length; p++)
            {
                var (expected, bound) = ReferenceOps.SgdSteps(w0[p].ToDouble(), [.. grads.Select(g => g[p].ToDouble())], Torch(sgd));
                Close.Assert(parameters.Tensors[p].ToArray(), expected, bound, $"parameter {p}");
            }
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void VelocityBuffers_OnePerParameterBuffer_FreedByDispose(bool fused)
    {
        var device = Device;
        var random = new Random(192);
        var w0 = Shapes.Select(s => RandomArrays.Normal(random, Length(s))).ToArray();
        using var parameters = new ParameterSet(device, Shapes, w0, fused);
        using var gradients = new ParameterSet(device, Shapes, w0, fused);
        long before = device.AllocatedBytes;
        var sgd = new SgdStep(0.1f, momentum: 0.9f);

        sgd.Apply(parameters.Tensors, gradients.Tensors);
        long held = device.AllocatedBytes - before;
        var usage = device.GetMemoryUsage().Where(u => u.Owner.Contains(nameof(SgdStep), StringComparison.Ordinal)).ToList();
        sgd.Apply(parameters.Tensors, gradients.Tensors);
        long heldAfterSecond = device.AllocatedBytes - before;
        sgd.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(held, Is.EqualTo(sizeof(float) * Shapes.Sum(Length)), "one velocity element per parameter element");
            Assert.That(usage, Has.Count.EqualTo(1), "the velocity is the optimiser's");
            Assert.That(usage[0].Buffers, Is.EqualTo(fused ? 1 : Shapes.Length), "a buffer per parameter buffer");
            Assert.That(heldAfterSecond, Is.EqualTo(held), "the second step reuses the velocity");
            Assert.That(device.AllocatedBytes, Is.EqualTo(before), "Dispose frees the velocity");
        }
    }

    [TestCase(0f, 0f)]
    [TestCase(0f, 0.01f)]
    public void WithoutMomentum_NothingStaysAllocated(float momentum, float weightDecay)
    {
        using var p = Tensor.Constant(Device, 1f, 4, 3);
        using var g = Tensor.Constant(Device, 0.5f, 4, 3);
        long before = Device.AllocatedBytes;

        new SgdStep(0.1f, momentum, weightDecay: weightDecay).Apply([p], [g]);

        Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
    }

    /// <summary>Which parameters get a gradient at each of four steps.</summary>
    private static readonly bool[][][] Patterns =
    [
        // All; the first only; all but the first; all.
        [[true, true, true, true], [true, false, false, false], [false, true, true, true], [true, true, true, true]],
        // The first only; all (a fused range half started: two runs); every other one; all.
        [[true, false, false, false], [true, true, true, true], [false, true, false, true], [true, true, true, true]],
    ];

    [TestCase(0)]
    [TestCase(1)]
    public void AParameterSkippedForAStep_KeepsItsVelocity_AsInPyTorch(int pattern)
    {
        // PyTorch keeps one momentum buffer per parameter: a parameter without a gradient for a step is left alone,
        // and its next step continues from its own buffer, whatever the others did.
        var device = Device;
        var random = new Random(193);
        var w0 = Shapes.Select(s => RandomArrays.Normal(random, Length(s))).ToArray();
        var grads = Enumerable.Range(0, 4).Select(_ => Shapes.Select(s => RandomArrays.Normal(random, Length(s))).ToArray()).ToArray();
        var given = Patterns[pattern];
        var settings = new TorchSgd(0.1f, 0.9f, 0.25f);
        using var parameters = new ParameterSet(device, Shapes, w0, fused: true);
        using var sgd = new SgdStep(0.1f, momentum: 0.9f, dampening: 0.25f);

        for (int t = 0; t < grads.Length; t++)
        {
            using var gradients = new ParameterSet(device, Shapes, grads[t], fused: true);
            sgd.Apply(parameters.Tensors, [.. gradients.Tensors.Select((g, p) => given[t][p] ? g : null)]);
        }

        using (Assert.EnterMultipleScope())
        {
            for (int p = 0; p < Shapes.Length; p++)
            {
                var own = grads.Where((_, t) => given[t][p]).Select(g => g[p].ToDouble()).ToList();
                var (expected, bound) = ReferenceOps.SgdSteps(w0[p].ToDouble(), own, settings);
                Close.Assert(parameters.Tensors[p].ToArray(), expected, bound, $"parameter {p} after {own.Count} steps of its own");
            }
        }
    }

    [Test]
    public void AfterDispose_TheNextStepStartsAfresh()
    {
        var random = new Random(194);
        var w = RandomArrays.Normal(random, 10);
        var g1 = RandomArrays.Normal(random, 10);
        var g2 = RandomArrays.Normal(random, 10);
        using var p = Tensor.FromArray(Device, w, 10);
        using var tg1 = Tensor.FromArray(Device, g1, 10);
        using var tg2 = Tensor.FromArray(Device, g2, 10);
        using var sgd = new SgdStep(0.1f, momentum: 0.9f, dampening: 0.5f);

        sgd.Apply([p], [tg1]);
        var afterFirst = p.ToArray();
        sgd.Dispose();
        sgd.Apply([p], [tg2]);

        // The second step is a first step again: v = d, undamped, on the weights the first step left.
        var (expected, bound) = ReferenceOps.SgdSteps(w.ToDouble(), [g1.ToDouble()], new TorchSgd(0.1f, 0.9f, 0.5f));
        var (again, boundAgain) = ReferenceOps.SgdSteps(afterFirst.ToDouble(), [g2.ToDouble()], new TorchSgd(0.1f, 0.9f, 0.5f));
        using (Assert.EnterMultipleScope())
        {
            Close.Assert(afterFirst, expected, bound, "first step");
            Close.Assert(p.ToArray(), again, boundAgain, "the step after Dispose");
        }
    }

    private static TorchSgd Torch(SgdStep s) => new(s.LearningRate, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov);

    private static int Length(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    /// <summary>
    /// Tensors of the given shapes: separate tensors, or views that tile one buffer back to back, as
    /// <see cref="TwoLayerNet"/> keeps its parameters (the layout the optimiser updates in one launch).
    /// </summary>
    private sealed class ParameterSet : IDisposable
    {
        private readonly Tensor? _buffer;

        public ParameterSet(ComputeDevice device, int[][] shapes, float[][] values, bool fused)
        {
            if (!fused)
            {
                Tensors = [.. values.Select((v, i) => Tensor.FromArray(device, v, shapes[i]))];
                return;
            }

            _buffer = Tensor.FromArray(device, [.. values.SelectMany(v => v)], values.Sum(v => v.Length));
            int offset = 0;
            var views = new List<Tensor>();
            foreach (var shape in shapes)
            {
                views.Add(Tensor.ViewOf(_buffer, offset, shape));
                offset += Length(shape);
            }

            Tensors = [.. views];
        }

        public Tensor[] Tensors { get; }

        public void Dispose()
        {
            if (_buffer is null)
            {
                foreach (var t in Tensors)
                {
                    t.Dispose();
                }
            }

            _buffer?.Dispose();
        }
    }
}
