using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Same seed, same device kind, same path: bit-for-bit the same weights after training, compared as the
/// raw bits of every parameter element. Each test also changes the seed and expects other bits, so it
/// could fail. (TrainerTests compares the losses of repeated <see cref="Trainer.Fit"/> runs; here the weights.)
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ReproducibilityTests(DeviceUnderTest deviceUnderTest)
{
    private const int Steps = 50;

    private static readonly Lazy<MnistData> s_shipped = new(() =>
    {
        string folder = Mnist10k.Folder;
        return MnistData.Read(Path.Combine(folder, Mnist.SampleImagesFile), Path.Combine(folder, Mnist.SampleLabelsFile));
    });

    /// <summary>20 → 16 → 4, 24 rows in three batches of 8: small enough for the emulated path.</summary>
    private static readonly Problem s_small = new(Inputs: 20, Hidden: 16, Classes: 4, Rows: 24, Batch: 8);

    /// <summary>
    /// 256 → 64 → 10, batches of 64: the host GEMMs of this size split across cores (above 64k
    /// multiply-adds per chunk), so scheduling could matter if anything depended on it.
    /// </summary>
    private static readonly Problem s_parallel = new(Inputs: 256, Hidden: 64, Classes: 10, Rows: 128, Batch: 64);

    private ComputeDevice Device => deviceUnderTest.Device;

    [Test]
    public void TrainStep_SameSeed_SameBits()
    {
        var first = TrainStepBits(Device, s_small, netSeed: 1, Steps);
        var second = TrainStepBits(Device, s_small, netSeed: 1, Steps);
        var otherSeed = TrainStepBits(Device, s_small, netSeed: 2, Steps);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(otherSeed, Is.Not.EqualTo(first), "another seed gives other weights");
        }
    }

    [Test]
    public void TapePath_SameSeed_SameBits()
    {
        var first = TapeBits(s_small, netSeed: 3);
        var second = TapeBits(s_small, netSeed: 3);
        var otherSeed = TapeBits(s_small, netSeed: 4);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(otherSeed, Is.Not.EqualTo(first), "another seed gives other weights");
        }
    }

    [Test]
    public void Trainer_ShuffledMnist_SameSeeds_SameBits()
    {
        // 200 digits in batches of 20 for 5 epochs: 50 shuffled steps.
        using var data = s_shipped.Value.Slice(0, 200).ToDevice(Device);
        var options = new TrainerOptions { Epochs = 5, BatchSize = 20, LearningRate = 0.2f, Seed = 21, EvaluateTrainAccuracy = false };

        var first = FitBits(data, options, netSeed: 5);
        var second = FitBits(data, options, netSeed: 5);
        var otherShuffle = FitBits(data, new TrainerOptions { Epochs = 5, BatchSize = 20, LearningRate = 0.2f, Seed = 22, EvaluateTrainAccuracy = false }, netSeed: 5);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(otherShuffle, Is.Not.EqualTo(first), "another shuffle seed gives other weights");
        }
    }

    [Test]
    public void TwoDevicesOfTheSameKind_GiveTheSameBits()
    {
        using var other = ComputeDevice.Create(new ComputeDeviceOptions { Kind = Device.Kind, Index = Device.Index, CpuKernels = Device.CpuKernels });

        var here = TrainStepBits(Device, s_small, netSeed: 6, Steps);
        var there = TrainStepBits(other, s_small, netSeed: 6, Steps);

        Assert.That(there, Is.EqualTo(here));
    }

    [Test]
    public void LoadedCores_DoNotChangeTheBits()
    {
        // The host path needs products large enough to split across cores. The emulator runs every kernel
        // on all its threads anyway, and starved of cores it runs 10-30 times slower: the small problem
        // and fewer steps.
        bool emulated = Device.CpuKernels == CpuKernelSet.Emulated;
        var problem = emulated ? s_small : s_parallel;
        int steps = emulated ? 5 : 20;
        var quiet = TrainStepBits(Device, problem, netSeed: 7, steps);

        // Busy threads on every core delay the host workers (and the emulator's threads); a rival training on
        // another host device holds the host workers at times, so some products run on the calling thread
        // alone instead of split across cores.
        using var stop = new CancellationTokenSource();
        using var rivalRunning = new ManualResetEventSlim();
        long rivalSteps = 0;
        var spinners = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(_ => Task.Factory.StartNew(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Thread.SpinWait(1000);
                }
            }, TaskCreationOptions.LongRunning))
            .ToList();
        var rival = Task.Factory.StartNew(() =>
        {
            using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Host });
            using var net = s_parallel.Net(device, seed: 8);
            using var data = s_parallel.Data(device);
            var batch = data.Batches[0];
            var sgd = new SgdStep(0.01f);
            while (!stop.IsCancellationRequested)
            {
                net.TrainStep(batch.X, batch.Labels, sgd);
                Interlocked.Increment(ref rivalSteps);
                rivalRunning.Set();
            }
        }, TaskCreationOptions.LongRunning);

        // A run can end before the rival's next step does (a host run takes milliseconds): repeat until the
        // rival has completed steps during a few runs, every run compared.
        int overlapping = 0;
        var runs = new List<int[]>();
        try
        {
            Assert.That(rivalRunning.Wait(TimeSpan.FromSeconds(30)), Is.True, "the rival training started");
            for (int attempt = 0; attempt < 50 && overlapping < 2; attempt++)
            {
                long rivalBefore = Interlocked.Read(ref rivalSteps);
                runs.Add(TrainStepBits(Device, problem, netSeed: 7, steps));
                overlapping += Interlocked.Read(ref rivalSteps) > rivalBefore ? 1 : 0;
            }
        }
        finally
        {
            stop.Cancel();
            Task.WaitAll([.. spinners, rival]);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(overlapping, Is.Positive, "runs during which the rival completed a step");
            for (int run = 0; run < runs.Count; run++)
            {
                Assert.That(runs[run], Is.EqualTo(quiet), $"loaded run {run + 1} of {runs.Count}");
            }
        }
    }

    /// <summary>The bits of every parameter element after <paramref name="steps"/> TrainSteps cycling through the batches.</summary>
    private static int[] TrainStepBits(ComputeDevice device, Problem problem, ulong netSeed, int steps)
    {
        using var net = problem.Net(device, netSeed);
        using var data = problem.Data(device);
        var sgd = new SgdStep(0.1f);
        for (int step = 0; step < steps; step++)
        {
            var batch = data.Batches[step % data.Batches.Length];
            net.TrainStep(batch.X, batch.Labels, sgd);
        }

        return Bits(net);
    }

    private int[] TapeBits(Problem problem, ulong netSeed)
    {
        using var net = problem.Net(Device, netSeed);
        using var data = problem.Data(Device);
        var sgd = new SgdStep(0.1f);
        for (int step = 0; step < Steps; step++)
        {
            var batch = data.Batches[step % data.Batches.Length];
            using var tape = new GradientTape();
            var gradients = tape.Gradient(net.Loss(batch.X, batch.Labels), net.Parameters);
            sgd.Apply(net.Parameters, gradients);
        }

        return Bits(net);
    }

    private int[] FitBits(MnistSet data, TrainerOptions options, ulong netSeed)
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 16, Seed = netSeed });
        var results = new Trainer(net, options).Fit(data.Images, data.Labels);
        Assert.That(results.Sum(r => r.Steps), Is.EqualTo(Steps));
        return Bits(net);
    }

    private static int[] Bits(TwoLayerNet net) =>
        [.. net.Parameters.SelectMany(p => p.ToArray()).Select(BitConverter.SingleToInt32Bits)];

    private sealed record Problem(int Inputs, int Hidden, int Classes, int Rows, int Batch)
    {
        internal TwoLayerNet Net(ComputeDevice device, ulong seed) =>
            new(device, new TwoLayerNetOptions { Inputs = Inputs, Hidden = Hidden, Classes = Classes, Seed = seed });

        /// <summary>The same rows whatever the net's seed, so only the seed under test varies.</summary>
        internal DataSet Data(ComputeDevice device)
        {
            var (x, labels) = TwoLayerNetTests.Problem(Rows, Inputs, Classes, seed: 99);
            var batches = new LabelledBatch[Rows / Batch];
            for (int b = 0; b < batches.Length; b++)
            {
                batches[b] = new LabelledBatch(
                    Tensor.FromArray(device, x.AsSpan(b * Batch * Inputs, Batch * Inputs), Batch, Inputs),
                    Labels.FromArray(device, labels.AsSpan(b * Batch, Batch), Classes));
            }

            return new DataSet(batches);
        }
    }

    private sealed record DataSet(LabelledBatch[] Batches) : IDisposable
    {
        public void Dispose()
        {
            foreach (var batch in Batches)
            {
                batch.Dispose();
            }
        }
    }
}
