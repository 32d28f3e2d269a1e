using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to the elementwise operations fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class ElementwiseErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void Add_ShapesDiffer()
    {
        using var a = Tensor.Zeros(Device, 2, 3);
        using var b = Tensor.Zeros(Device, 3, 2);

        Assert.That(() => Ops.Add(a, b), Throws.ArgumentException
            .With.Message.Contains("a has shape (2, 3)").And.Message.Contains("b has shape (3, 2)"));
    }

    [Test]
    public void Subtract_SameLengthDifferentRank()
    {
        using var a = Tensor.Zeros(Device, 6);
        using var b = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => Ops.Subtract(a, b), Throws.ArgumentException.With.Message.Contains("(6,)").And.Message.Contains("(2, 3)"));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void Scale_NonFiniteFactor(float s)
    {
        using var x = Tensor.Zeros(Device, 2);

        Assert.That(() => Ops.Scale(x, s), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"is {s}").And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(s));
    }
}
