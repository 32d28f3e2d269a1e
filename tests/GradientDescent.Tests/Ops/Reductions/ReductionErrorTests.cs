using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to the reductions fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class ReductionErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void ColumnSum_Vector()
    {
        using var x = Tensor.Zeros(Device, 5);

        Assert.That(() => Ops.ColumnSum(x), Throws.ArgumentException.With.Message.Contains("ColumnSum").And.Message.Contains("(5,)"));
    }

    [Test]
    public void Accuracy_LabelCountDiffersFromRows()
    {
        using var logits = Tensor.Zeros(Device, 2, 3);
        using var labels = Labels.FromArray(Device, [0, 1, 2], 3);

        Assert.That(() => Ops.Accuracy(logits, labels), Throws.ArgumentException.With.Message.Contains("2 rows").And.Message.Contains("got 3 labels"));
    }
}
