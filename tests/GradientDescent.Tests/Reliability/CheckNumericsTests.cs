using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// <see cref="ComputeDevice.CheckNumerics"/>: with it on, the first operation whose result holds NaN or
/// ±∞ throws, naming itself, the tensor and the first bad element, and frees what it allocated.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class CheckNumericsTests(DeviceUnderTest deviceUnderTest)
{
    private ComputeDevice Device => deviceUnderTest.Device;

    // The fixture devices are shared; tests in this assembly run one at a time, so switching the check
    // on for one test and off afterwards affects no other.
    [SetUp]
    public void TurnOn() => Device.CheckNumerics = true;

    [TearDown]
    public void TurnOff() => Device.CheckNumerics = false;

    [Test]
    public void Off_NonFiniteResultsPassSilently()
    {
        Device.CheckNumerics = false;
        using var x = Tensor.FromArray(Device, [1f, 3e38f], 2);
        using var y = Ops.Scale(x, 10f);
        Assert.That(y.ToArray(), Is.EqualTo(new[] { 10f, float.PositiveInfinity }));
    }

    [Test]
    public void Options_AndEnvironmentDefault()
    {
        using var on = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CheckNumerics = true });
        using var off = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CheckNumerics = false });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(on.CheckNumerics, Is.True);
            Assert.That(off.CheckNumerics, Is.False);
            Assert.That(on.ToString(), Does.Contain(", host kernels, numeric checks on, device #"), "a log shows the slower mode");
            Assert.That(off.ToString(), Does.Not.Contain("numeric"));
        }
    }

    [Test]
    public void Scale_Overflow_NamesTheOperationTheTensorAndTheFirstElement()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f, 3e38f, -3e38f, 5f, 6f], 2, 3);
        long before = Device.AllocatedBytes;
        var e = Assert.Throws<NonFiniteValueException>(() => Ops.Scale(x, 10f))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Operation, Is.EqualTo("Scale"));
            Assert.That(e.TensorRole, Is.EqualTo("result"));
            Assert.That(e.Shape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(e.Index, Is.EqualTo(new[] { 0, 2 }));
            Assert.That(e.Value, Is.EqualTo(float.PositiveInfinity));
            Assert.That(e.Count, Is.EqualTo(2));
            Assert.That(e.Message, Is.EqualTo("Scale produced +∞ in its result of shape (2, 3): first at index [0, 2], 2 non-finite elements in all."));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "the rejected result is freed");
        }
    }

    [Test]
    public void FromArray_NaN_IsCaughtWhereItEntersTheDevice()
    {
        long before = Device.AllocatedBytes;
        var e = Assert.Throws<NonFiniteValueException>(() => Tensor.FromArray(Device, [0f, 1f, 2f, float.NaN], 4))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Operation, Is.EqualTo("FromArray"));
            Assert.That(e.Index, Is.EqualTo(new[] { 3 }));
            Assert.That(float.IsNaN(e.Value), Is.True);
            Assert.That(e.Message, Does.StartWith("FromArray produced NaN in its result of shape (4,)"));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
        }
    }

    [Test]
    public void Constant_Infinite()
    {
        var e = Assert.Throws<NonFiniteValueException>(() => Tensor.Constant(Device, float.NegativeInfinity, 2, 2))!;
        Assert.That((e.Operation, e.Value, e.Count), Is.EqualTo(("Constant", float.NegativeInfinity, 4)));
    }

    [Test]
    public void MatMul_Overflow()
    {
        using var a = Tensor.Constant(Device, 2e19f, 3, 5);
        using var b = Tensor.Constant(Device, 2e19f, 5, 7);
        var e = Assert.Throws<NonFiniteValueException>(() => Ops.MatMul(a, b))!;
        Assert.That((e.Operation, e.Index, e.Count), Is.EqualTo(("MatMul", (IReadOnlyList<int>)[0, 0], 21)));
    }

    [Test]
    public void SoftmaxCrossEntropy_HugeFiniteLogitIsFine_InfiniteOneIsCaughtAndFreed()
    {
        using var labels = Labels.FromArray(Device, [0, 1], 3);
        using var huge = Tensor.FromArray(Device, [0f, 1f, 2f, 3e38f, 1f, 2f], 2, 3);
        using (var loss = Ops.SoftmaxCrossEntropy(huge, labels))
        {
            Assert.That(loss.ToArray(), Is.All.Matches<float>(float.IsFinite), "the max is subtracted before exp");
        }

        Device.CheckNumerics = false;
        using var infinite = Tensor.FromArray(Device, [0f, 1f, 2f, float.PositiveInfinity, 1f, 2f], 2, 3);
        Device.CheckNumerics = true;
        long before = Device.AllocatedBytes;
        var e = Assert.Throws<NonFiniteValueException>(() => Ops.SoftmaxCrossEntropy(infinite, labels))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That((e.Operation, e.TensorRole), Is.EqualTo(("SoftmaxCrossEntropy", "result")));
            Assert.That(e.Index, Is.EqualTo(new[] { 1 }));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "the loss and the saved gradient are freed");
        }
    }

    [Test]
    public void Backward_NamesTheBackwardStep()
    {
        // Forward stays finite (1e-30·3e38·10 = 3e9); backward multiplies the scales, 10·3e38 = ∞.
        using var x = Tensor.FromArray(Device, [1e-30f, 2e-30f], 2);
        x.IsTrainable = true;
        using var tape = new GradientTape();
        var y = Ops.Scale(x, 3e38f);
        var z = Ops.Scale(y, 10f);
        var loss = Ops.Sum(z);
        long before = Device.AllocatedBytes;
        var e = Assert.Throws<NonFiniteValueException>(() => tape.Gradient(loss, x))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Operation, Is.EqualTo("Scale backward"));
            Assert.That(e.TensorRole, Is.EqualTo("gradient of input 1 of 1"));
            Assert.That(e.Value, Is.EqualTo(float.PositiveInfinity));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "the gradients computed so far are freed");
        }
    }

    [Test]
    public void TrainStep_Divergence_StopsAtTheFirstNonFiniteStage()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 12, Hidden = 7, Classes = 3, Seed = 2 });
        var (xValues, labelValues) = TwoLayerNetTests.Problem(5, 12, 3, seed: 3);
        using var x = Tensor.FromArray(Device, xValues, 5, 12);
        using var labels = Labels.FromArray(Device, labelValues, 3);
        var sgd = new SgdStep(1e38f);
        var e = Assert.Throws<NonFiniteValueException>(() =>
        {
            for (int step = 0; step < 10; step++)
            {
                net.TrainStep(x, labels, sgd);
            }
        })!;
        Assert.That(e.Operation, Does.StartWith("TrainStep"));
        Assert.That(e.TensorRole, Is.AnyOf("hidden activations relu(x·w1 + b1)", "logits h·w2 + b2", "mean loss")
            .Or.StartsWith("gradient of ").Or.AnyOf("w1", "b1", "w2", "b2"));
    }

    [Test]
    public void SgdStep_NaNGradient_NamesTheParameter()
    {
        using var w = Tensor.FromArray(Device, [1f, 2f, 3f], 3);
        using var b = Tensor.FromArray(Device, [1f], 1);
        using var gw = Tensor.FromArray(Device, [0f, 0f, 0f], 3);
        Device.CheckNumerics = false;
        using var zero = Tensor.FromArray(Device, [0f], 1);
        using var nan = Tensor.FromArray(Device, [float.NaN], 1);
        Device.CheckNumerics = true;
        var e = Assert.Throws<NonFiniteValueException>(() => new SgdStep(0.1f).Apply([w, b], [gw, nan]))!;
        Assert.That((e.Operation, e.TensorRole), Is.EqualTo(("SgdStep", "updated parameters[1]")));
    }

    [Test]
    public void On_FiniteTrainingIsBitwiseTheSameAsOff()
    {
        float[] Train(bool check)
        {
            Device.CheckNumerics = check;
            using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 12, Hidden = 7, Classes = 3, Seed = 2 });
            var (xValues, labelValues) = TwoLayerNetTests.Problem(5, 12, 3, seed: 3);
            using var x = Tensor.FromArray(Device, xValues, 5, 12);
            using var labels = Labels.FromArray(Device, labelValues, 3);
            var sgd = new SgdStep(0.1f);
            for (int step = 0; step < 5; step++)
            {
                net.TrainStep(x, labels, sgd);
            }

            using var tape = new GradientTape();
            var loss = net.Loss(x, labels);
            var grads = tape.Gradient(loss, net.Parameters);
            sgd.Apply(net.Parameters, grads);
            return [.. net.Parameters.SelectMany(p => p.ToArray())];
        }

        Assert.That(Train(check: true), Is.EqualTo(Train(check: false)).AsCollection);
    }
}
