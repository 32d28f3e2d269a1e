using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to tensors: factories, disposal and devices fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class TensorErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [TestCase(new[] { 0, 3 }, "(0, 3)")]
    [TestCase(new[] { 2, 0 }, "(2, 0)")]
    [TestCase(new[] { 0 }, "(0,)")]
    [TestCase(new[] { 4, -2 }, "(4, -2)")]
    public void Zeros_EmptyOrNegativeExtent(int[] shape, string text)
    {
        Assert.That(() => Tensor.Zeros(Device, shape), Throws.ArgumentException
            .With.Message.Contains($"Shape {text}").And.Message.Contains($"extent of {shape.First(d => d < 1)}"));
    }

    [Test]
    public void FromArray_EmptyVector()
    {
        Assert.That(() => Tensor.FromArray(Device, Array.Empty<float>()), Throws.ArgumentException.With.Message.Contains("(0,)"));
    }

    [Test]
    public void RandomNormal_NegativeStd()
    {
        Assert.That(() => Tensor.RandomNormal(Device, [2], std: -1f), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentOutOfRangeException.ParamName)).EqualTo("std"));
    }

    [Test]
    public void Zeros_TooManyElements()
    {
        Assert.That(() => Tensor.Zeros(Device, 65536, 65536), Throws.ArgumentException.With.Message.Contains("(65536, 65536)"));
    }

    [Test]
    public void FromArray_LengthDiffersFromShape()
    {
        Assert.That(() => Tensor.FromArray(Device, new float[5], 2, 3), Throws.ArgumentException
            .With.Message.Contains("5 values").And.Message.Contains("(2, 3)").And.Message.Contains("holds 6"));
    }

    [Test]
    public void FromBytes_LengthDiffersFromShape()
    {
        Assert.That(() => Tensor.FromBytes(Device, new byte[7], [2, 2]), Throws.ArgumentException
            .With.Message.Contains("7 values").And.Message.Contains("(2, 2)"));
    }

    [Test]
    public void Item_OnANonScalar()
    {
        using var t = Tensor.Zeros(Device, 2, 2);

        Assert.That(() => t.Item(), Throws.InvalidOperationException.With.Message.Contains("(2, 2)"));
    }

    [Test]
    public void Op_OnADisposedTensor()
    {
        var t = Tensor.Zeros(Device, 2, 3);
        t.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Relu(t), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Relu").And.Message.Contains("(2, 3)"));
            Assert.That(() => Ops.Sum(t), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.ToArray(), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("(2, 3)"));
            Assert.That(() => t.Reshape(6), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.Clone(), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void Op_OnATensorWhoseDeviceWasDisposed()
    {
        var device = ComputeDevice.Create("cpu");
        var t = Tensor.FromArray(device, [1f, 2f], 2);
        var labels = Labels.FromArray(device, [0, 1], 2);
        device.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Scale(t, 2f), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.ToArray(), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("its device was disposed"));
            Assert.That(labels.IsDisposed, Is.True);
            Assert.That(() => labels.ToArray(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.Dispose(), Throws.Nothing);
            Assert.That(labels.Dispose, Throws.Nothing);
        }
    }

    [Test]
    public void View_AfterItsOwnerWasDisposed()
    {
        var owner = Tensor.Zeros(Device, 2, 3);
        var view = owner.Reshape(-1);
        var rows = owner.Rows(1, 1);
        owner.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => view.ToArray(), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("(6,)"));
            Assert.That(() => Ops.Relu(rows), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("(1, 3)"));
        }
    }

    [Test]
    public void Op_WithTensorsOnTwoDevices()
    {
        using var other = ComputeDevice.Create("cpu");
        using var a = Tensor.Zeros(Device, 2, 2);
        using var b = Tensor.Zeros(other, 2, 2);
        using var bias = Tensor.Zeros(other, 2);
        using var labels = Labels.FromArray(other, [0, 1], 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Add(a, b), Throws.ArgumentException.With.Message.Contains("different devices"));
            Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException.With.Message.Contains("different devices"));
            Assert.That(() => Ops.AddBias(a, bias), Throws.ArgumentException.With.Message.Contains("different devices"));
            Assert.That(() => Ops.SoftmaxCrossEntropy(a, labels), Throws.ArgumentException.With.Message.Contains("labels on"));
        }
    }
}
