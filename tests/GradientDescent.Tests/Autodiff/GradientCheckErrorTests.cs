using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to GradientCheck fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class GradientCheckErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void GradientCheck_NonScalarFunction()
    {
        using var x = Tensor.Zeros(Device, 2, 2);

        Assert.That(() => GradientCheck.Run(() => Ops.Scale(x, 2f), [x]), Throws.ArgumentException.With.Message.Contains("(2, 2)"));
    }

    [Test]
    public void GradientCheck_NoSourcesOrBadEpsilon()
    {
        using var x = Tensor.Zeros(Device, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => GradientCheck.Run(() => Ops.Sum(x), []), Throws.ArgumentException.With.Message.Contains("at least one source"));
            Assert.That(() => GradientCheck.Run(() => Ops.Sum(x), [x], epsilon: 0f), Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Property(nameof(ArgumentOutOfRangeException.ParamName)).EqualTo("epsilon"));
        }
    }
}
