using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to AddBias, AddBiasRelu and Relu fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class ReluErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void AddBias_MatrixBias()
    {
        using var x = Tensor.Zeros(Device, 2, 3);
        using var b = Tensor.Zeros(Device, 1, 3);

        Assert.That(() => Ops.AddBias(x, b), Throws.ArgumentException
            .With.Message.Contains("b must be a vector (rank 1)").And.Message.Contains("(1, 3)"));
    }

    [Test]
    public void AddBiasRelu_BiasLengthMismatch()
    {
        using var x = Tensor.Zeros(Device, 2, 3);
        using var b = Tensor.Zeros(Device, 4);

        Assert.That(() => Ops.AddBiasRelu(x, b), Throws.ArgumentException
            .With.Message.Contains("(4,)").And.Message.Contains("(2, 3)").And.Message.Contains("needs 3 elements"));
    }

    [Test]
    public void AddBias_VectorInput()
    {
        using var x = Tensor.Zeros(Device, 3);
        using var b = Tensor.Zeros(Device, 3);

        Assert.That(() => Ops.AddBias(x, b), Throws.ArgumentException.With.Message.Contains("x must be a matrix").And.Message.Contains("(3,)"));
    }
}
