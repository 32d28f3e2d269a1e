using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Device memory over long runs and at disposal, measured with <see cref="ComputeDevice.AllocatedBytes"/>.
/// Single disposals are tested beside their types (TensorTests, ComputeDeviceTests, TwoLayerNetTests,
/// GradientTapeTests); these tests cover many steps and everything together.
/// </summary>
/// <remarks>
/// The net is small (12 → 7 → 3, batch 5) so that a thousand steps stay fast on the emulated path, where
/// a launch costs 0.1–1 ms; leaks are per step, not per byte of data, so size does not matter here.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ResourceTests(DeviceUnderTest deviceUnderTest)
{
    private const int Inputs = 12;
    private const int Hidden = 7;
    private const int Classes = 3;
    private const int Rows = 5;
    private const int Steps = 1000;

    private ComputeDevice Device => deviceUnderTest.Device;

    [Test]
    public void TrainStep_AThousandSteps_AllocateNothingAfterTheFirst()
    {
        using var net = SmallNet(seed: 1);
        using var data = Data(seed: 2);
        var sgd = new SgdStep(0.1f);
        net.TrainStep(data.X, data.Labels, sgd);
        long warm = Device.AllocatedBytes;

        var checkpoints = new List<long>();
        for (int step = 1; step <= Steps; step++)
        {
            net.TrainStep(data.X, data.Labels, sgd);
            if (step % 250 == 0)
            {
                checkpoints.Add(Device.AllocatedBytes);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(checkpoints, Has.Count.EqualTo(4).And.All.EqualTo(warm), "bytes held after steps 250, 500, 750, 1000");
            Assert.That(float.IsFinite(net.TrainStep(data.X, data.Labels, sgd).Item()), Is.True, "the loss after a thousand steps");
        }
    }

    [Test]
    public void TapePath_AThousandSteps_ReturnToTheBaselineAfterEveryStep()
    {
        using var net = SmallNet(seed: 3);
        using var data = Data(seed: 4);
        var sgd = new SgdStep(0.1f);
        long baseline = Device.AllocatedBytes;

        var afterSteps = new HashSet<long>();
        long peak = 0;
        for (int step = 1; step <= Steps; step++)
        {
            using (var tape = new GradientTape())
            {
                var loss = net.Loss(data.X, data.Labels);
                var gradients = tape.Gradient(loss, net.Parameters);
                sgd.Apply(net.Parameters, gradients);
                peak = Math.Max(peak, Device.AllocatedBytes - baseline);
            }

            afterSteps.Add(Device.AllocatedBytes);
        }

        TestContext.Progress.WriteLine($"{deviceUnderTest}: a tape step holds {peak} bytes of intermediates and gradients until the tape is disposed");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterSteps, Is.EquivalentTo(new[] { baseline }), "bytes held after each disposed tape");
            Assert.That(peak, Is.Positive, "the tape held its results until disposed");
        }
    }

    [Test]
    public void PredictAccuracyAndLabels_ReturnToTheBaseline()
    {
        using var net = SmallNet(seed: 5);
        using var data = Data(seed: 6);
        long baseline = Device.AllocatedBytes;

        var after = new HashSet<long>();
        for (int i = 0; i < 100; i++)
        {
            Assert.That(net.Predict(data.X), Has.Length.EqualTo(Rows));
            after.Add(Device.AllocatedBytes);
            Assert.That(net.Accuracy(data.X, data.Labels), Is.InRange(0f, 1f));
            after.Add(Device.AllocatedBytes);
            Assert.That(Ops.ArgMax(data.X), Has.Length.EqualTo(Rows));
            after.Add(Device.AllocatedBytes);
            using var labels = Labels.FromArray(Device, [0, 1, 2, 1], Classes);
            Assert.That(Device.AllocatedBytes - baseline, Is.EqualTo(4 * sizeof(int)), "labels count while alive");
        }

        Assert.That(after, Is.EquivalentTo(new[] { baseline }));
    }

    [Test]
    public void BatchGatherAndTrainer_CountTheirBuffers_AndFreeThem()
    {
        using var net = SmallNet(seed: 7);
        using var data = Data(seed: 8);
        long baseline = Device.AllocatedBytes;

        using (var gather = new BatchGather(data.X, data.Labels, capacity: 4))
        {
            Assert.That(Device.AllocatedBytes - baseline, Is.EqualTo(4 * sizeof(int)), "the index buffer");
            gather.Next([4, 0, 2]);
            Assert.That(Device.AllocatedBytes - baseline, Is.EqualTo((4 * sizeof(int)) + (3 * Inputs * sizeof(float)) + (3 * sizeof(int))),
                "the index buffer and one batch of rows and labels");
        }

        Assert.That(Device.AllocatedBytes, Is.EqualTo(baseline));
        net.TrainStep(data.X, data.Labels, new SgdStep(0.1f));
        long warm = Device.AllocatedBytes;
        new Trainer(net, new TrainerOptions { Epochs = 2, BatchSize = 2, Seed = 1 }).Fit(data.X, data.Labels, data.X, data.Labels);
        Assert.That(Device.AllocatedBytes, Is.EqualTo(warm), "Fit frees its batches, index buffer, loss sum and accuracy scratch");
    }

    [Test]
    public void DisposingEverything_TwiceEach_ReturnsToTheBaseline()
    {
        long baseline = Device.AllocatedBytes;
        var net = SmallNet(seed: 9);
        var data = Data(seed: 10);
        var view = data.X.Rows(1, 3);
        var reshaped = data.X.Reshape(-1);
        var gather = new BatchGather(data.X, data.Labels, capacity: 3);
        gather.Next([0, 1, 2]);
        var viewLabels = Labels.FromArray(Device, [0, 1, 2], Classes);
        net.TrainStep(view, viewLabels, new SgdStep(0.1f));
        var tape = new GradientTape();
        var gradients = tape.Gradient(net.Loss(data.X, data.Labels), net.Parameters);
        Assert.That(Device.AllocatedBytes, Is.GreaterThan(baseline));

        IDisposable[] everything = [tape, gather, viewLabels, view, reshaped, data.X, data.Labels, net];
        foreach (var owner in everything)
        {
            owner.Dispose();
        }

        long afterFirst = Device.AllocatedBytes;
        foreach (var owner in everything)
        {
            owner.Dispose();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterFirst, Is.EqualTo(baseline));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(baseline), "a second dispose frees nothing more");
            Assert.That(new[] { data.X, view, reshaped }.Select(t => t.IsDisposed), Is.All.True);
            Assert.That(data.Labels.IsDisposed && viewLabels.IsDisposed, Is.True);
            Assert.That(net.Parameters.Concat(net.Gradients).Concat(gradients.OfType<Tensor>()).Select(t => t.IsDisposed), Is.All.True);
            Assert.That(() => gather.Next([0]), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void DisposingTheDevice_DisposesEverythingOnIt()
    {
        var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = Device.Kind, Index = Device.Index, CpuKernels = Device.CpuKernels });
        var net = new TwoLayerNet(device, new TwoLayerNetOptions { Inputs = Inputs, Hidden = Hidden, Classes = Classes, Seed = 11 });
        var (xValues, labelValues) = TwoLayerNetTests.Problem(Rows, Inputs, Classes, seed: 12);
        var x = Tensor.FromArray(device, xValues, Rows, Inputs);
        var view = x.Rows(0, 2);
        var labels = Labels.FromArray(device, labelValues, Classes);
        var gather = new BatchGather(x, labels, capacity: 2);
        gather.Next([1, 3]);
        net.TrainStep(x, labels, new SgdStep(0.1f));
        var logits = net.Forward(x);
        using var tape = new GradientTape();
        var loss = net.Loss(x, labels);
        Assert.That(device.AllocatedBytes, Is.Positive);

        device.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(device.AllocatedBytes, Is.Zero);
            Assert.That(new[] { x, view, logits, loss }.Concat(net.Parameters).Concat(net.Gradients).Select(t => t.IsDisposed), Is.All.True);
            Assert.That(labels.IsDisposed, Is.True);
            Assert.That(() => x.ToArray(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => view.ToArray(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => labels.ToArray(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => net.W1.ToArray(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => net.TrainStep(x, labels, new SgdStep(0.1f)), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => net.Predict(x), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => gather.Next([0]), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() =>
            {
                tape.Dispose();
                gather.Dispose();
                logits.Dispose();
                labels.Dispose();
                view.Dispose();
                x.Dispose();
                net.Dispose();
                device.Dispose();
            }, Throws.Nothing, "disposing anything after its device stays harmless");
            Assert.That(device.AllocatedBytes, Is.Zero);
        }
    }

    private TwoLayerNet SmallNet(ulong seed) =>
        new(Device, new TwoLayerNetOptions { Inputs = Inputs, Hidden = Hidden, Classes = Classes, Seed = seed });

    private LabelledBatch Data(int seed)
    {
        var (x, labels) = TwoLayerNetTests.Problem(Rows, Inputs, Classes, seed);
        return new LabelledBatch(Tensor.FromArray(Device, x, Rows, Inputs), Labels.FromArray(Device, labels, Classes));
    }
}
