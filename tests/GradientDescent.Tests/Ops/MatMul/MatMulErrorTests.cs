using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to MatMul fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class MatMulErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void MatMul_InnerDimensionsDiffer()
    {
        using var a = Tensor.Zeros(Device, 3, 4);
        using var b = Tensor.Zeros(Device, 5, 2);

        Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException
            .With.Message.Contains("(3, 4)").And.Message.Contains("(5, 2)").And.Message.Contains("inner dimensions 4 and 5"));
    }

    [Test]
    public void MatMul_Transposed_NamesTheTransposedShapes()
    {
        using var a = Tensor.Zeros(Device, 3, 4);
        using var b = Tensor.Zeros(Device, 4, 3);

        Assert.That(() => Ops.MatMul(a, b, transposeB: true), Throws.ArgumentException
            .With.Message.Contains("bᵀ of shape (3, 4)").And.Message.Contains("b is (4, 3)"));
    }

    [Test]
    public void MatMul_VectorOperand()
    {
        using var a = Tensor.Zeros(Device, 4);
        using var b = Tensor.Zeros(Device, 4, 2);

        Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException
            .With.Message.Contains("a must be a matrix (rank 2)").And.Message.Contains("(4,)")
            .And.Property(nameof(ArgumentException.ParamName)).EqualTo("a"));
    }

    [Test]
    public void MatMul_ScalarOperand()
    {
        using var a = Tensor.Zeros(Device, 2, 2);
        using var b = Tensor.Scalar(Device, 1f);

        Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException
            .With.Message.Contains("b must be a matrix").And.Message.Contains("shape ()"));
    }
}
