using CustomKernel;
using ILGPU;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The CustomKernel sample's gradients through <see cref="GradientCheck"/> at its defaults: the op alone, and the
/// sample's 784 → 100 → 10 net on random inputs and on the shipped digits; and the same check failing a backward
/// that is off by 10% or drops the negative side's term.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class LeakyReluGradientTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    [Test]
    public void LeakyRelu_PassesTheGradientCheck()
    {
        using var x = Tensor.RandomNormal(Device, [8, 5], seed: 1);

        var result = GradientCheck.Assert(() => Ops.Sum(Ops.Scale(LeakyRelu.Apply(x), 3f)), [x], new GradientCheckOptions { MaxElementsPerSource = 40 });

        Assert.That(result.Elements, Has.Count.EqualTo(40));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void SampleNet_PassesAtTheDefaults(bool digits)
    {
        using var net = new LeakyReluNet(Device, seed: 7);
        var (x, labels) = GradientCheckFalseAlarmTests.Batch(Device, digits, seed: 8);
        using (x)
        using (labels)
        {
            var result = GradientCheck.Run(() => net.Loss(x, labels), net.Parameters);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Passed, Is.True, result.Report);
                Assert.That(result.Elements, Has.Count.EqualTo(32 + 32 + 32 + 10), "32 of each source, all 10 of b2");
                Assert.That(result.NonDifferentiable, Has.Count.LessThanOrEqualTo(6), result.Report);
            }
        }
    }

    [TestCase(0.01f, 1.1f, false)]
    [TestCase(0.3f, 1f, true)]
    public void WrongBackward_FailsAtTheDefaults(float slope, float factor, bool dropNegativeSide)
    {
        using var net = new LeakyReluNet(Device, seed: 9);
        var (x, labels) = GradientCheckFalseAlarmTests.Batch(Device, digits: true, seed: 10);
        using (x)
        using (labels)
        {
            var result = GradientCheck.Run(() => Ops.Mean(Ops.SoftmaxCrossEntropy(
                Ops.AddBias(Ops.MatMul(WrongLeakyRelu(Ops.AddBias(Ops.MatMul(x, net.W1), net.B1), slope, factor, dropNegativeSide), net.W2), net.B2),
                labels)), net.Parameters);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Passed, Is.False, result.Report);
                // Only the first layer's gradients pass through the activation's backward.
                Assert.That(result.Failures.Select(e => e.Source).Distinct(), Is.SubsetOf(new[] { 0, 1 }), result.Report);
                Assert.That(() => result.ThrowIfFailed(), Throws.TypeOf<GradientCheckException>().With.Message.EqualTo(result.Report));
            }
        }
    }

    /// <summary>A leaky ReLU with a wrong backward: scaled by <paramref name="factor"/>, or without the slope·g term.</summary>
    internal static Tensor WrongLeakyRelu(Tensor x, float slope, float factor, bool dropNegativeSide) => new CustomOp("WrongLeakyRelu")
        .Forward((launch, y) => launch.Run(LaunchShape.Elements(y.Length), ForwardKernel, launch.View(x), launch.View(y), slope, y.Length))
        .Backward((g, _) => [Ops.Scale(LeakyRelu.Gradient(x, g, dropNegativeSide ? 0f : slope), factor)], CustomOpSaves.Inputs)
        .Apply(x.Shape, x);

    private static void ForwardKernel(ArrayView<float> x, ArrayView<float> y, float slope, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = x[i] > 0f ? x[i] : slope * x[i];
        }
    }
}
