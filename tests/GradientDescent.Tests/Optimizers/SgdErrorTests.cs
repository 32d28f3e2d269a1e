using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to SgdStep fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class SgdErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [TestCase(0f)]
    [TestCase(-0.1f)]
    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void SgdStep_BadLearningRate(float rate)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new SgdStep(rate), Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Message.Contains($"but is {rate}").And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(rate));
            var sgd = new SgdStep(0.1f);
            Assert.That(() => sgd.LearningRate = rate, Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(sgd.LearningRate, Is.EqualTo(0.1f), "a rejected rate leaves the old one");
        }
    }

    [Test]
    public void SgdStep_CountMismatch()
    {
        using var p = Tensor.Zeros(Device, 2);
        using var q = Tensor.Zeros(Device, 3);
        using var g = Tensor.Zeros(Device, 2);

        Assert.That(() => new SgdStep(0.1f).Apply([p, q], [g]), Throws.ArgumentException
            .With.Message.Contains("2 parameters but 1 gradients"));
    }

    [Test]
    public void SgdStep_ShapeMismatch_LeavesParametersUntouched()
    {
        using var p0 = Tensor.Constant(Device, 1f, 2);
        using var g0 = Tensor.Constant(Device, 1f, 2);
        using var p1 = Tensor.Zeros(Device, 2, 3);
        using var g1 = Tensor.Zeros(Device, 3, 2);

        Assert.That(() => new SgdStep(0.1f).Apply([p0, p1], [g0, g1]), Throws.ArgumentException
            .With.Message.Contains("parameters[1] has shape (2, 3)").And.Message.Contains("gradients[1] has shape (3, 2)"));
        Assert.That(p0.ToArray(), Is.All.EqualTo(1f), "validation happens before any update");
    }
}
