using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// One device shared by several threads: every result must equal, bit for bit, what the same work gives
/// on one thread, and disposing the device under a running thread must end that thread's work with
/// <see cref="ObjectDisposedException"/>, never a crash or a wrong number.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ThreadSafetyTests(DeviceUnderTest deviceUnderTest)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private ComputeDevice Device => deviceUnderTest.Device;

    [Test]
    public void TwoThreadsTrainingTheirOwnNets_GetTheSingleThreadedBits()
    {
        const int steps = 60;
        var fusedAlone = TrainFused(Device, seed: 1, steps);
        var tapeAlone = TrainWithTape(Device, seed: 2, steps);

        using var start = new Barrier(2);
        float[]? fused = null, tape = null;
        RunTogether(
            () => { start.SignalAndWait(); fused = TrainFused(Device, seed: 1, steps); },
            () => { start.SignalAndWait(); tape = TrainWithTape(Device, seed: 2, steps); });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Bits(fused!), Is.EqualTo(Bits(fusedAlone)).AsCollection, "TrainStep on a shared device");
            Assert.That(Bits(tape!), Is.EqualTo(Bits(tapeAlone)).AsCollection, "tape path on a shared device");
            Assert.That(Bits(fusedAlone), Is.Not.EqualTo(Bits(tapeAlone)).AsCollection, "the two jobs differ, so a mix-up would show");
        }
    }

    [Test]
    public void FourThreadsMultiplying_GetTheSingleThreadedResults()
    {
        // 160×96·96×130 is large enough for the host GEMM to split work over its worker threads, which
        // is where two callers could collide; 7×13·13×5 takes the small-product path. 48×300·300×40 is
        // split by depth over two cores, so a caller that finds the workers busy and runs it alone must
        // still sum in the same order.
        (int M, int K, int N)[] shapes = [(160, 96, 130), (7, 13, 5), (64, 200, 33), (1, 97, 61), (48, 300, 40)];
        var expected = shapes.Select((s, t) => Product(Device, s, seed: t)).ToArray();

        var results = new float[shapes.Length][][];
        using var start = new Barrier(shapes.Length);
        RunTogether([.. shapes.Select<(int M, int K, int N), Action>((s, t) => () =>
        {
            start.SignalAndWait();
            results[t] = [.. Enumerable.Range(0, 15).Select(_ => Product(Device, s, seed: t))];
        })]);

        using (Assert.EnterMultipleScope())
        {
            for (int t = 0; t < shapes.Length; t++)
            {
                foreach (var result in results[t])
                {
                    Assert.That(Bits(result), Is.EqualTo(Bits(expected[t])).AsCollection, $"thread {t}, shape {shapes[t]}");
                }
            }
        }
    }

    [Test]
    public void DisposingTheDeviceUnderAWorkingThread_EndsItsWorkWithObjectDisposed()
    {
        var device = ComputeDevice.Create(new ComputeDeviceOptions
        {
            Kind = Device.Kind,
            Index = Device.Index,
            CpuKernels = Device.CpuKernels,
        });
        using var w = Tensor.RandomNormal(device, [40, 30], seed: 1);
        using var working = new ManualResetEventSlim();
        int iterations = 0;
        Exception? ended = null;
        var worker = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    using var x = Tensor.RandomNormal(device, [20, 40], seed: 2);
                    using var y = Ops.MatMul(x, w);
                    using var z = Ops.Relu(y);
                    _ = z.ToArray();
                    if (++iterations == 5)
                    {
                        working.Set();
                    }
                }
            }
            catch (Exception e)
            {
                ended = e;
                working.Set();
            }
        });
        worker.Start();
        Assert.That(working.Wait(Patience), Is.True, "the worker got going");
        device.Dispose();
        Assert.That(worker.Join(Patience), Is.True, "the worker stopped");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ended, Is.TypeOf<ObjectDisposedException>(), ended?.ToString());
            Assert.That(iterations, Is.GreaterThanOrEqualTo(5));
            Assert.That(device.AllocatedBytes, Is.Zero);
            Assert.That(w.IsDisposed, Is.True);
        }
    }

    private static float[] TrainFused(ComputeDevice device, int seed, int steps) =>
        Train(device, seed, steps, (net, x, labels, sgd) => net.TrainStep(x, labels, sgd));

    private static float[] TrainWithTape(ComputeDevice device, int seed, int steps) =>
        Train(device, seed, steps, (net, x, labels, sgd) =>
        {
            using var tape = new GradientTape();
            var loss = net.Loss(x, labels);
            sgd.Apply(net.Parameters, tape.Gradient(loss, net.Parameters));
        });

    /// <summary>Trains a seeded 12 → 7 → 3 net on a seeded batch of 9 and returns its parameters.</summary>
    private static float[] Train(ComputeDevice device, int seed, int steps, Action<TwoLayerNet, Tensor, Labels, SgdStep> step)
    {
        using var net = new TwoLayerNet(device, new TwoLayerNetOptions { Inputs = 12, Hidden = 7, Classes = 3, Seed = (ulong)seed });
        var (xValues, labelValues) = TwoLayerNetTests.Problem(9, 12, 3, seed: seed);
        using var x = Tensor.FromArray(device, xValues, 9, 12);
        using var labels = Labels.FromArray(device, labelValues, 3);
        var sgd = new SgdStep(0.2f);
        for (int i = 0; i < steps; i++)
        {
            step(net, x, labels, sgd);
        }

        return [.. net.Parameters.SelectMany(p => p.ToArray())];
    }

    private static float[] Product(ComputeDevice device, (int M, int K, int N) shape, int seed)
    {
        using var a = Tensor.RandomNormal(device, [shape.M, shape.K], seed: (ulong)(2 * seed));
        using var b = Tensor.RandomNormal(device, [shape.K, shape.N], seed: (ulong)((2 * seed) + 1));
        using var c = Ops.MatMul(a, b);
        return c.ToArray();
    }

    private static void RunTogether(params Action[] jobs)
    {
        var failures = new Exception?[jobs.Length];
        var threads = jobs.Select((job, i) => new Thread(() =>
        {
            try
            {
                job();
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            Assert.That(thread.Join(Patience), Is.True, "a thread did not finish");
        }

        Assert.That(failures, Is.All.Null, string.Join("\n", failures.Where(f => f is not null)));
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
