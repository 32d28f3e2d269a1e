using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to Reshape, Rows, the row range indexer and Transpose fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class ShapeErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void Reshape_TwoInferredExtents()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(-1, -1), Throws.ArgumentException
            .With.Message.Contains("(2, 3)").And.Message.Contains("(-1, -1)").And.Message.Contains("only one extent may be -1"));
    }

    [Test]
    public void Reshape_InferredExtentDoesNotDivide()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(4, -1), Throws.ArgumentException
            .With.Message.Contains("(4, -1)").And.Message.Contains("6 is not divisible by 4"));
    }

    [Test]
    public void Reshape_WrongProduct()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(4, 2), Throws.ArgumentException
            .With.Message.Contains("(2, 3) (6 elements)").And.Message.Contains("(4, 2) (8 elements)"));
    }

    [Test]
    public void Reshape_ZeroExtent()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(0, -1), Throws.ArgumentException.With.Message.Contains("extent 0 is not positive"));
    }

    [Test]
    public void Rows_OutOfRange()
    {
        using var t = Tensor.Zeros(Device, 4, 2);

        Assert.That(() => t.Rows(3, 2), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("[3, 5)").And.Message.Contains("4 rows"));
    }

    [Test]
    public void Rows_OfAVector()
    {
        using var t = Tensor.Zeros(Device, 4);

        Assert.That(() => t.Rows(0, 1), Throws.InvalidOperationException.With.Message.Contains("(4,)"));
    }

    [TestCase(new[] { 4 }, "(4,)")]
    [TestCase(new[] { 2, 2, 2 }, "(2, 2, 2)")]
    public void Transpose_NotAMatrix(int[] shape, string text)
    {
        using var t = Tensor.Zeros(Device, shape);

        Assert.That(() => Ops.Transpose(t), Throws.ArgumentException
            .With.Message.Contains("Transpose: x must be a matrix (rank 2)").And.Message.Contains(text));
    }

    [Test]
    public void RangeIndexer_EmptyOrOutside()
    {
        using var t = Tensor.Zeros(Device, 4, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => t[2..2], Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("[2, 2)").And.Message.Contains("count must be at least 1"));
            Assert.That(() => t[3..1], Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("[3, 1)"));
            Assert.That(() => t[..5], Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 5)").And.Message.Contains("4 rows of a (4, 2) tensor"));
            Assert.That(() => t[^5..], Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("[-1, 4)"));
        }
    }

    [Test]
    public void RangeIndexer_OfAVectorOrADisposedTensor()
    {
        using var v = Tensor.Zeros(Device, 4);
        var gone = Tensor.Zeros(Device, 4, 2);
        gone.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => v[..2], Throws.InvalidOperationException.With.Message.Contains("Rows needs a matrix").And.Message.Contains("(4,)"));
            Assert.That(() => gone[..2], Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => gone.Clone(), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Clone: x (shape (4, 2)) has been disposed"));
        }
    }
}
