using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// A tensor the caller drops without disposing is freed once the garbage collector finds it unreachable, so
/// the tutorial's literal update <c>w1 = w1 - learning_rate * dw1</c> can run in a loop without leaking.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
[NonParallelizable] // forces garbage collections
public sealed class DroppedTensorTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    [Test]
    public void ADroppedTensor_IsFreedAfterACollection()
    {
        long before = Device.AllocatedBytes;
        Drop(Device);
        long dropped = Device.AllocatedBytes;

        Collect();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dropped, Is.EqualTo(before + (4 * 1000)), "until collected, it is still held");
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
        }

        static void Drop(ComputeDevice device) => Tensor.Zeros(device, 1000);
    }

    [Test]
    public void AViewKeepsItsBufferAlive_AfterItsOwnerIsDropped()
    {
        var view = MakeView(Device);
        Collect();

        Assert.That(view.ToArray(), Is.EqualTo(new[] { 3f, 4f }), "the view's buffer was not freed under it");
        GC.KeepAlive(view);
        view = null;
        Collect();

        static Tensor MakeView(ComputeDevice device)
        {
            var owner = Tensor.FromArray(device, [1f, 2f, 3f, 4f], 2, 2);
            return Tensor.ViewOf(owner, 2, [2]);
        }
    }

    [Test]
    public void TheTutorialsUpdateLine_InALoop_HoldsOnlyTheLiveWeights()
    {
        int steps = Device.UsesHostKernels ? 1000 : 60;
        using var x = Tensor.RandomNormal(Device, [32, 12], seed: 1);
        using var y = Labels.FromArray(Device, [.. Enumerable.Range(0, 32).Select(i => i % 3)], classes: 3);
        long baseline = Device.AllocatedBytes;

        var (w1, w2, first, last, peak) = Train(x, y, steps);
        Collect();
        long live = Device.AllocatedBytes - baseline;
        TestContext.Progress.WriteLine($"{steps} steps: peak {peak - baseline} B above the data, {live} B after a collection; loss {first:0.000} → {last:0.000}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(live, Is.EqualTo((12 * 6 * 4) + (6 * 3 * 4)), "only the current w1 and w2 are held");
            Assert.That(last, Is.LessThan(first), "and the loop learned");
        }

        w1.Dispose();
        w2.Dispose();
    }

    /// <summary>
    /// The notebook's full-batch loop, literally: each step rebinds w1 and w2 to new tensors and drops the old
    /// ones (and the temporary lr·dw), which only the garbage collector can then free. Not inlined, so that no
    /// stack slot of the test keeps a dropped tensor reachable.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private (Tensor W1, Tensor W2, float First, float Last, long Peak) Train(Tensor x, Labels y, int steps)
    {
        var w1 = Tensor.RandomNormal(Device, [12, 6], std: 0.3f, seed: 2);
        var w2 = Tensor.RandomNormal(Device, [6, 3], std: 0.3f, seed: 3);
        const float learningRate = 0.5f;
        long peak = 0;
        float first = float.NaN, last = float.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var tape = new GradientTape();
            tape.Watch(w1);
            tape.Watch(w2);
            var loss = Ops.Mean(Ops.SoftmaxCrossEntropy(Ops.MatMul(Ops.Relu(Ops.MatMul(x, w1)), w2), y));
            var grads = tape.Gradient(loss, [w1, w2]);
            w1 = w1 - (learningRate * grads[0]!);
            w2 = w2 - (learningRate * grads[1]!);
            last = loss.Item();
            first = step == 0 ? last : first;
            peak = Math.Max(peak, Device.AllocatedBytes);
        }

        return (w1, w2, first, last, peak);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
