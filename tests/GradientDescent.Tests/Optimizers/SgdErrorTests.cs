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

    [TestCase("momentum", -0.1f, "finite and not negative")]
    [TestCase("momentum", float.NaN, "finite and not negative")]
    [TestCase("momentum", float.PositiveInfinity, "finite and not negative")]
    [TestCase("dampening", -0.5f, "in [0, 1]")]
    [TestCase("dampening", 1.5f, "in [0, 1]")]
    [TestCase("dampening", float.NaN, "in [0, 1]")]
    [TestCase("weightDecay", -1e-4f, "finite and not negative")]
    [TestCase("weightDecay", float.NegativeInfinity, "finite and not negative")]
    [TestCase("weightDecay", float.NaN, "finite and not negative")]
    public void SgdStep_SettingOutOfRange(string name, float value, string range)
    {
        Func<SgdStep> create = name switch
        {
            "momentum" => () => new SgdStep(0.1f, momentum: value),
            "dampening" => () => new SgdStep(0.1f, momentum: 0.9f, dampening: value),
            _ => () => new SgdStep(0.1f, weightDecay: value),
        };

        Assert.That(() => create(), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"SgdStep: {name} must be {range}, but is {value}")
            .And.Property(nameof(ArgumentException.ParamName)).EqualTo(name)
            .And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(value));
    }

    [TestCase(0f, 0f)]
    [TestCase(0.9f, 0.1f)]
    [TestCase(0f, 0.5f)]
    public void SgdStep_NesterovNeedsMomentumAndNoDampening(float momentum, float dampening)
    {
        Assert.That(() => new SgdStep(0.1f, momentum, dampening, nesterov: true), Throws.ArgumentException
            .With.Message.Contains("Nesterov momentum needs a momentum above 0 and no dampening")
            .And.Message.Contains($"momentum is {momentum} and dampening {dampening}")
            .And.Property(nameof(ArgumentException.ParamName)).EqualTo("nesterov"));
    }

    [TestCase(1f)]
    [TestCase(0f)]
    public void SgdStep_DampeningAtItsBounds_IsAccepted(float dampening) =>
        Assert.That(new SgdStep(0.1f, momentum: 0.9f, dampening: dampening).Dampening, Is.EqualTo(dampening));
}
