using CustomKernel;
using ILGPU;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// A user's op through <see cref="CustomOp"/>: the CustomKernel sample's leaky ReLU against the float64 reference,
/// forward and backward, on every device under test; then what the library promises for any custom op: the
/// dispatcher (launches counted, the host path), the tape, ownership and the saved-tensor check.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class CustomOpTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private const float Slope = 0.2f;

    public static IEnumerable<TestCaseData> Shapes() =>
        new[] { new[] { 1 }, [7, 13], [33, 17], [64, 100] }.Select(s => new TestCaseData(s).SetArgDisplayNames(string.Join("x", s)));

    [TestCaseSource(nameof(Shapes))]
    public void LeakyRelu_ForwardAndBackward_MatchReference(int[] shape)
    {
        var random = new Random(31);
        int n = shape.Aggregate(1, (p, d) => p * d);
        var x = RandomArrays.AwayFromZero(random, n);
        var g = RandomArrays.Normal(random, n);
        using var tx = Tensor.FromArray(Device, x, shape);
        using var tg = Tensor.FromArray(Device, g, shape);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = LeakyRelu.Apply(tx, Slope);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            // One float32 product on the negative side (host: slope·x then a max, which picks it exactly).
            Close.Assert(y.ToArray(), ReferenceOps.LeakyRelu(x.ToDouble(), Slope), 0, Tolerance.OneRounding, "LeakyRelu y");
            Close.Assert(dx.ToArray(), ReferenceOps.LeakyReluBackward(x.ToDouble(), g.ToDouble(), Slope), 0, Tolerance.OneRounding, "LeakyRelu dx");
            Assert.That(y.ShapeText, Is.EqualTo(tx.ShapeText));
        }
    }

    [Test]
    public void Launches_GoThroughTheDispatcher_CountedOncePerKernel()
    {
        using var x = Tensor.FromArray(Device, [1f, -2f, 3f], 3);
        using var g = Tensor.FromArray(Device, [1f, 1f, 1f], 3);
        long before = Device.KernelLaunches;

        using (var y = LeakyRelu.Apply(x))
        {
            // The forward has a host version, which launches nothing; the ILGPU kernel is one launch.
            Assert.That(Device.KernelLaunches - before, Is.EqualTo(Device.CpuKernels == CpuKernelSet.Host ? 0 : 1));
        }

        before = Device.KernelLaunches;
        using var dx = LeakyRelu.Gradient(x, g, Slope);
        using (Assert.EnterMultipleScope())
        {
            // The gradient op has no host version: on the host path its kernel runs in ILGPU's CPU accelerator.
            Assert.That(Device.KernelLaunches - before, Is.EqualTo(1));
            Assert.That(dx.ToArray(), Is.EqualTo(new[] { 1f, Slope, 1f }));
        }
    }

    [Test]
    public void Scale_IsACustomOp_AndKeepsItsBehaviour()
    {
        // Ops.Scale is written with the public CustomOp: one launch on ILGPU paths, none on the host path,
        // recorded on the tape, and its rule reads no tensor, so an in-place update of x does not block it.
        using var x = Tensor.FromArray(Device, [1f, -2f], 2);
        x.IsTrainable = true;
        using var tape = new GradientTape();
        long before = Device.KernelLaunches;
        var y = Ops.Scale(x, 3f);
        long launches = Device.KernelLaunches - before;
        new SgdStep(0.1f).Apply([x], [x]);
        var dx = tape.Gradient(Ops.Sum(y), x)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(launches, Is.EqualTo(Device.CpuKernels == CpuKernelSet.Host ? 0 : 1));
            Assert.That(y.ToArray(), Is.EqualTo(new[] { 3f, -6f }));
            Assert.That(dx.ToArray(), Is.EqualTo(new[] { 3f, 3f }));
            Assert.That(tape.RecordedOperations, Is.EqualTo(2));
        }
    }

    [Test]
    public void Results_BelongToTheOutermostTape_ElseToTheCaller()
    {
        using var x = Tensor.FromArray(Device, [1f, -1f], 2);
        long before = Device.AllocatedBytes;
        var outside = LeakyRelu.Apply(x);
        outside.Dispose();
        Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "outside a tape the caller owns the result");

        var tape = new GradientTape();
        tape.Watch(x);
        var inside = LeakyRelu.Apply(x);
        inside.Dispose();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inside.IsDisposed, Is.False, "disposing a tape's tensor does nothing");
            Assert.That(tape.RecordedOperations, Is.EqualTo(1));
        }

        tape.Dispose();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inside.IsDisposed, Is.True);
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
        }
    }

    [Test]
    public void UnwatchedInputs_AreNotRecorded()
    {
        using var x = Tensor.FromArray(Device, [1f, -1f], 2);
        using var tape = new GradientTape();

        var y = LeakyRelu.Apply(x);

        Assert.That(tape.RecordedOperations, Is.Zero);
        Assert.That(y.IsDisposed, Is.False);
    }

    [Test]
    public void InPlaceWriteToASavedInput_MakesTheGradientThrow_NamingTheOp()
    {
        using var x = Tensor.FromArray(Device, [1f, -1f], 2);
        x.IsTrainable = true;
        using var tape = new GradientTape();
        var loss = Ops.Sum(LeakyRelu.Apply(x));
        new SgdStep(0.1f).Apply([x], [x]);   // x changes in place after LeakyRelu saved it

        Assert.That(() => tape.Gradient(loss, x), Throws.InvalidOperationException
            .With.Message.Contains("LeakyRelu backward: its input 1 of 1 (shape (2,)) was changed in place"));
    }

    [Test]
    public void BackwardReturningTheOutputGradientOrAView_IsCopied()
    {
        // An identity whose rule hands back g itself and a reshaped view of it: the tape frees what a rule
        // returns and frees g after the step, so both must be copies, not the tensors themselves.
        using var a = Tensor.FromArray(Device, [1f, 2f, 3f, 4f], 2, 2);
        using var b = Tensor.FromArray(Device, [5f, 6f, 7f, 8f], 2, 2);
        using var tape = new GradientTape();
        tape.Watch(a);
        tape.Watch(b);
        var y = new CustomOp("Identity")
            .Forward((launch, r) => launch.Run(LaunchShape.Elements(r.Length), CopyKernel, launch.View(a), launch.View(r), r.Length))
            .Backward((g, _) => [g, g.Reshape(2, 2)], CustomOpSaves.None)
            .Apply(a.Shape, a, b);

        var grads = tape.Gradient(Ops.Sum(Ops.Scale(y, 2f)), a, b);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
            Assert.That(grads[0]!.ToArray(), Is.EqualTo(new[] { 2f, 2f, 2f, 2f }));
            Assert.That(grads[1]!.ToArray(), Is.EqualTo(new[] { 2f, 2f, 2f, 2f }));
            Assert.That(grads[0], Is.Not.SameAs(grads[1]));
        }
    }

    [Test]
    public void BackwardIntermediates_AreFreed_AndItsFactoryTensorsTaken()
    {
        // The rule computes through public ops (intermediates the library frees) and returns a tensor it made
        // with a factory (which the library takes): nothing stays allocated once the tape is disposed.
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        long before = Device.AllocatedBytes;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = new CustomOp("Double")
                .Forward((launch, r) => launch.Run(LaunchShape.Elements(r.Length), CopyKernel, launch.View(x), launch.View(r), r.Length))
                .Backward((g, _) => [Ops.Add(Ops.Scale(g, 0.5f), Ops.Scale(g, 0.5f))], CustomOpSaves.None)
                .Apply(x.Shape, x);
            var z = new CustomOp("Constant")
                .Forward((launch, r) => launch.Run(LaunchShape.Elements(r.Length), CopyKernel, launch.View(x), launch.View(r), r.Length))
                .Backward((_, _) => [Tensor.Constant(Device, 3f, 2)])
                .Apply(x.Shape, x);
            var grad = tape.Gradient(Ops.Add(Ops.Sum(y), Ops.Sum(z)), x)[0]!;
            Assert.That(grad.ToArray(), Is.EqualTo(new[] { 4f, 4f }));
        }

        Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
    }

    [Test]
    public void OpWithoutBackward_ThrowsWhenAGradientReachesIt()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = new CustomOp("ForwardOnly")
            .Forward((launch, r) => launch.Run(LaunchShape.Elements(r.Length), CopyKernel, launch.View(x), launch.View(r), r.Length))
            .Apply(x.Shape, x);

        Assert.That(() => tape.Gradient(Ops.Sum(y), x), Throws.TypeOf<NotSupportedException>()
            .With.Message.StartsWith("ForwardOnly has no backward rule"));
    }

    [Test]
    public void CheckNumerics_NamesTheCustomOp_ForwardAndBackward()
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions
        {
            Kind = Device.Kind, Index = Device.Index, CpuKernels = Device.CpuKernels, CheckNumerics = true,
        });
        using var x = Tensor.FromArray(device, [1f, 3e38f], 2);
        long held = device.AllocatedBytes;
        var forward = Assert.Throws<NonFiniteValueException>(() => new CustomOp("TimesTen")
            .Forward((launch, r) => launch.Run(LaunchShape.Elements(r.Length), TimesTenKernel, launch.View(x), launch.View(r), r.Length))
            .Apply(x.Shape, x));
        Assert.That(device.AllocatedBytes, Is.EqualTo(held), "the rejected result is freed");

        using var big = Tensor.FromArray(device, [3e38f, 1f], 2);
        using var tape = new GradientTape();
        tape.Watch(big);
        // Forward finite; the backward's factor 10 overflows 3e38 inside the rule (through public ops).
        var y = new CustomOp("Overflowing")
            .Forward((launch, r) => launch.Run(LaunchShape.Elements(r.Length), CopyKernel, launch.View(big), launch.View(r), r.Length))
            .Backward((g, _) => [Ops.Scale(Ops.Scale(g, 3e38f), 10f)], CustomOpSaves.None)
            .Apply(big.Shape, big);
        var loss = Ops.Sum(y);
        long before = device.AllocatedBytes;
        var backward = Assert.Throws<NonFiniteValueException>(() => tape.Gradient(loss, big));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(forward!.Operation, Is.EqualTo("TimesTen"));
            Assert.That(forward.Index, Is.EqualTo(new[] { 1 }));
            Assert.That(backward!.Operation, Is.EqualTo("Overflowing backward"), "the rule's gradient is checked as its step");
            Assert.That(backward.TensorRole, Is.EqualTo("gradient of input 1 of 1"));
            Assert.That(device.AllocatedBytes, Is.EqualTo(before), "the rule's intermediates and gradients are freed");
        }
    }

    private static void TimesTenKernel(ArrayView<float> x, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = 10f * x[i];
        }
    }

    private static void CopyKernel(ArrayView<float> x, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = x[i];
        }
    }
}
