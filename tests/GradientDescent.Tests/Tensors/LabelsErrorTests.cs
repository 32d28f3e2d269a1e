using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to Labels fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class LabelsErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [TestCase(-1, 0)]
    [TestCase(3, 2)]
    [TestCase(7, 1)]
    public void Labels_OutsideTheClasses(int bad, int index)
    {
        var values = new[] { 0, 1, 2, 1 };
        values[index] = bad;

        Assert.That(() => Labels.FromArray(Device, values, 3), Throws.ArgumentException
            .With.Message.Contains($"Label {bad} at index {index}").And.Message.Contains("0..2"));
    }

    [Test]
    public void Labels_FromBytes_OutsideTheClasses()
    {
        Assert.That(() => Labels.FromBytes(Device, [1, 2, 10], 10), Throws.ArgumentException
            .With.Message.Contains("Label 10 at index 2").And.Message.Contains("0..9"));
    }

    [Test]
    public void Labels_Empty()
    {
        Assert.That(() => Labels.FromArray(Device, ReadOnlySpan<int>.Empty, 3), Throws.ArgumentException.With.Message.Contains("At least one label"));
    }

    [Test]
    public void Labels_NoClasses()
    {
        Assert.That(() => Labels.FromArray(Device, [0], 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("classes"));
    }

    [Test]
    public void Labels_AfterDispose()
    {
        using var logits = Tensor.Zeros(Device, 1, 2);
        var labels = Labels.FromArray(Device, [1], 2);
        labels.Dispose();

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, labels), Throws.TypeOf<ObjectDisposedException>());
    }
}
