using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to LogSoftmax and SoftmaxCrossEntropy fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class SoftmaxErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void LogSoftmax_Vector()
    {
        using var x = Tensor.Zeros(Device, 5);

        Assert.That(() => Ops.LogSoftmax(x), Throws.ArgumentException.With.Message.Contains("LogSoftmax").And.Message.Contains("(5,)"));
    }

    [Test]
    public void SoftmaxCrossEntropy_LabelCountDiffersFromRows()
    {
        using var logits = Tensor.Zeros(Device, 4, 3);
        using var labels = Labels.FromArray(Device, [0, 1, 2], 3);

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, labels), Throws.ArgumentException
            .With.Message.Contains("4 rows").And.Message.Contains("got 3 labels"));
    }

    [Test]
    public void SoftmaxCrossEntropy_ClassCountDiffersFromColumns()
    {
        using var logits = Tensor.Zeros(Device, 2, 3);
        using var labels = Labels.FromArray(Device, [0, 4], 5);

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, labels), Throws.ArgumentException
            .With.Message.Contains("3 classes").And.Message.Contains("for 5 classes"));
    }

    [Test]
    public void SoftmaxCrossEntropy_DenseTargetsOfAnotherShape()
    {
        using var logits = Tensor.Zeros(Device, 2, 3);
        using var targets = Tensor.Zeros(Device, 2, 4);

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, targets), Throws.ArgumentException
            .With.Message.Contains("(2, 3)").And.Message.Contains("(2, 4)"));
    }
}
