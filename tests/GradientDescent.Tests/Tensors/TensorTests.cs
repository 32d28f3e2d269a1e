using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixture]
public sealed class TensorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    private static string DeviceText => $"{ComputeDevice.KindName(Device.Kind)}:{Device.Index}";

    [Test]
    public void FromArray_KeepsShapeAndValues()
    {
        using var t = Tensor.FromArray(Device, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.Shape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(t.Rank, Is.EqualTo(2));
            Assert.That(t.Length, Is.EqualTo(6));
            Assert.That(t.ShapeText, Is.EqualTo("(2, 3)"));
            Assert.That(t.IsView, Is.False);
            Assert.That(t.IsTrainable, Is.False);
            Assert.That(t.Device, Is.SameAs(Device));
            Assert.That(t.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f }));
        }
    }

    [Test]
    public void FromArray_VectorOverload_MakesAVector()
    {
        using var t = Tensor.FromArray(Device, new[] { 7f, 8f });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.ShapeText, Is.EqualTo("(2,)"));
            Assert.That(t.ToArray(), Is.EqualTo(new[] { 7f, 8f }));
        }
    }

    [Test]
    public void FromBytes_ScalesEveryByte()
    {
        byte[] pixels = [0, 1, 128, 255, 64, 3];

        using var t = Tensor.FromBytes(Device, pixels, [3, 2], 1f / 255);

        var expected = pixels.Select(b => b * (1f / 255)).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.ShapeText, Is.EqualTo("(3, 2)"));
            Assert.That(t.ToArray(), Is.EqualTo(expected));
            Assert.That(t.ToArray()[3], Is.EqualTo(1f).Within(1e-6f));
        }
    }

    [Test]
    public void FromBytes_DefaultScaleIsOne()
    {
        using var t = Tensor.FromBytes(Device, [0, 7, 255], [3]);

        Assert.That(t.ToArray(), Is.EqualTo(new[] { 0f, 7f, 255f }));
    }

    [Test]
    public void Zeros_Constant_Scalar()
    {
        using var zeros = Tensor.Zeros(Device, 3, 5);
        using var constant = Tensor.Constant(Device, -2.5f, 4);
        using var scalar = Tensor.Scalar(Device, 42f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(zeros.ToArray(), Is.EqualTo(new float[15]));
            Assert.That(constant.ToArray(), Is.EqualTo(new[] { -2.5f, -2.5f, -2.5f, -2.5f }));
            Assert.That(scalar.Rank, Is.Zero);
            Assert.That(scalar.ShapeText, Is.EqualTo("()"));
            Assert.That(scalar.Length, Is.EqualTo(1));
            Assert.That(scalar.Item(), Is.EqualTo(42f));
        }
    }

    [Test]
    public void RandomNormal_HasTheRequestedMeanAndStd()
    {
        const int n = 20_000;
        const double mean = 3, std = 0.5;
        using var t = Tensor.RandomNormal(Device, [100, 200], mean: (float)mean, std: (float)std, seed: 7);

        var values = t.ToArray().Select(v => (double)v).ToArray();
        double sampleMean = values.Average();
        double sampleStd = Math.Sqrt(values.Sum(v => (v - sampleMean) * (v - sampleMean)) / (n - 1));
        // Five standard errors: std/√n for the mean, std/√(2n) for the standard deviation.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sampleMean, Is.EqualTo(mean).Within(5 * std / Math.Sqrt(n)));
            Assert.That(sampleStd, Is.EqualTo(std).Within(5 * std / Math.Sqrt(2.0 * n)));
            // A normal puts ~68.3% within one std; a uniform or a constant would not.
            double inside = values.Count(v => Math.Abs(v - mean) < std) / (double)n;
            Assert.That(inside, Is.EqualTo(0.6827).Within(0.02));
        }
    }

    [Test]
    public void RandomNormal_SameSeedSameValues_DifferentSeedDifferentValues()
    {
        using var a = Tensor.RandomNormal(Device, [64], seed: 11);
        using var b = Tensor.RandomNormal(Device, [64], seed: 11);
        using var c = Tensor.RandomNormal(Device, [64], seed: 12);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.ToArray(), Is.EqualTo(a.ToArray()));
            Assert.That(c.ToArray(), Is.Not.EqualTo(a.ToArray()));
        }
    }

    [Test]
    public void RandomNormal_ZeroStdGivesTheMean()
    {
        using var t = Tensor.RandomNormal(Device, [5], mean: 1.5f, std: 0f);

        Assert.That(t.ToArray(), Is.All.EqualTo(1.5f));
    }

    [Test]
    public void Reshape_WithInferredExtent_IsAViewThatWritesThrough()
    {
        using var t = Tensor.FromArray(Device, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        long before = Device.AllocatedBytes;

        using var view = t.Reshape(-1);
        using var matrix = t.Reshape(3, -1);
        long after = Device.AllocatedBytes;
        // Write through the view, then read the owner: same storage.
        ElementwiseKernels.Fill(view, 9f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(after, Is.EqualTo(before), "a reshape allocates nothing");
            Assert.That(view.ShapeText, Is.EqualTo("(6,)"));
            Assert.That(matrix.ShapeText, Is.EqualTo("(3, 2)"));
            Assert.That(view.IsView, Is.True);
            Assert.That(t.ToArray(), Is.All.EqualTo(9f));
            Assert.That(matrix.ToArray(), Is.All.EqualTo(9f));
        }
    }

    [Test]
    public void Reshape_DisposingTheViewFreesNothing()
    {
        using var t = Tensor.FromArray(Device, [1f, 2f, 3f, 4f], 2, 2);
        long before = Device.AllocatedBytes;

        t.Reshape(4).Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
            Assert.That(t.IsDisposed, Is.False);
            Assert.That(t.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
        }
    }

    [Test]
    public void Rows_IsAViewOfConsecutiveRows()
    {
        using var t = Tensor.FromArray(Device, [.. Enumerable.Range(0, 12).Select(i => (float)i)], 4, 3);
        long before = Device.AllocatedBytes;

        using var rows = t.Rows(1, 2);
        ElementwiseKernels.Fill(rows, -1f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
            Assert.That(rows.ShapeText, Is.EqualTo("(2, 3)"));
            Assert.That(rows.IsView, Is.True);
            Assert.That(t.ToArray(), Is.EqualTo(new[] { 0f, 1f, 2f, -1f, -1f, -1f, -1f, -1f, -1f, 9f, 10f, 11f }));
        }
    }

    [Test]
    public void Item_ReadsAOneElementTensorOfAnyRank()
    {
        using var t = Tensor.FromArray(Device, [5f], 1, 1);

        Assert.That(t.Item(), Is.EqualTo(5f));
    }

    [Test]
    public void Clone_IsAnIndependentCopy()
    {
        using var t = Tensor.FromArray(Device, [1f, 2f, 3f], 3);
        t.IsTrainable = true;

        using var copy = t.Clone();
        ElementwiseKernels.Fill(t, 0f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(copy.ShapeText, Is.EqualTo("(3,)"));
            Assert.That(copy.IsView, Is.False);
            Assert.That(copy.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
            Assert.That(copy.IsTrainable, Is.False, "a clone is a constant, not another variable");
        }
    }

    [Test]
    public void ToString_Matrix_MatchesTensorFlowStyle()
    {
        using var t = Tensor.FromArray(Device, [1f, 2.5f, -3f, 4f, 5f, 6f], 2, 3);

        Assert.That(t.ToString(), Is.EqualTo($"<Tensor: shape=(2, 3), device={DeviceText}, values=[[1, 2.5, -3],\n    [4, 5, 6]]>"));
    }

    [Test]
    public void ToString_ScalarAndVector()
    {
        using var scalar = Tensor.Scalar(Device, 0.25f);
        using var vector = Tensor.FromArray(Device, [1f, 2f, 3f], 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scalar.ToString(), Is.EqualTo($"<Tensor: shape=(), device={DeviceText}, values=0.25>"));
            Assert.That(vector.ToString(), Is.EqualTo($"<Tensor: shape=(3,), device={DeviceText}, values=[1, 2, 3]>"));
        }
    }

    [Test]
    public void ToString_LargeTensor_ShowsEdgesWithEllipses()
    {
        using var t = Tensor.FromArray(Device, [.. Enumerable.Range(0, 100).Select(i => (float)i)], 10, 10);

        var text = t.ToString();

        const string expected =
            "values=[[0, 1, 2, ..., 7, 8, 9],\n    [10, 11, 12, ..., 17, 18, 19],\n    [20, 21, 22, ..., 27, 28, 29],\n"
            + "    ...,\n    [70, 71, 72, ..., 77, 78, 79],\n    [80, 81, 82, ..., 87, 88, 89],\n    [90, 91, 92, ..., 97, 98, 99]]>";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.StartWith($"<Tensor: shape=(10, 10), device={DeviceText}, "));
            Assert.That(text, Does.EndWith(expected));
            Assert.That(text, Does.Not.Contain("50"));
        }
    }

    [Test]
    public void ToString_LongVector_IsTruncated()
    {
        using var t = Tensor.FromArray(Device, [.. Enumerable.Range(0, 1000).Select(i => (float)i)], 1000);

        Assert.That(t.ToString(), Does.EndWith("values=[0, 1, 2, ..., 997, 998, 999]>"));
    }

    [Test]
    public void ToString_Disposed_SaysSo()
    {
        var t = Tensor.Zeros(Device, 2, 2);
        t.Dispose();

        Assert.That(t.ToString(), Is.EqualTo("<Tensor: shape=(2, 2), disposed>"));
    }

    [Test]
    public void Dispose_FreesTheStorage_AndTwiceIsHarmless()
    {
        long before = Device.AllocatedBytes;
        var t = Tensor.Zeros(Device, 100, 10);
        long during = Device.AllocatedBytes;

        t.Dispose();
        t.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(during - before, Is.GreaterThanOrEqualTo(1000 * sizeof(float)));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
            Assert.That(t.IsDisposed, Is.True);
            Assert.That(() => t.ToArray(), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void DisposingTheOwner_DisposesItsViews()
    {
        var t = Tensor.Zeros(Device, 4, 2);
        var reshaped = t.Reshape(8);
        var rows = t.Rows(0, 1);

        t.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reshaped.IsDisposed, Is.True);
            Assert.That(rows.IsDisposed, Is.True);
        }
    }

    [Test]
    public void DisposingTheDevice_DisposesLiveTensors()
    {
        var device = ComputeDevice.Create("cpu");
        var t = Tensor.FromArray(device, [1f, 2f], 2);
        var view = t.Reshape(2, 1);
        Assert.That(device.AllocatedBytes, Is.Positive);

        device.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(device.IsDisposed, Is.True);
            Assert.That(t.IsDisposed, Is.True);
            Assert.That(view.IsDisposed, Is.True);
            Assert.That(device.AllocatedBytes, Is.Zero);
            Assert.That(() => t.Dispose(), Throws.Nothing, "disposing a tensor after its device stays harmless");
        }
    }
}
