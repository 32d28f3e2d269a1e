using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to the element gathers and OneHot fails at the public boundary, before any kernel launch (an index
/// outside the tensor would read past a buffer), with the exception type the docs promise and a message that names
/// the shape, the position and the value; nothing stays allocated (the leak check after every test holds that).
/// </summary>
[TestFixture]
public sealed class GatherErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [TestCase(3, 0, 1, "pair 1 is (3, 0)", "rows")]
    [TestCase(-1, 0, 0, "pair 0 is (-1, 0)", "rows")]
    [TestCase(0, 4, 2, "pair 2 is (0, 4)", "columns")]
    [TestCase(1, -2, 1, "pair 1 is (1, -2)", "columns")]
    [TestCase(int.MaxValue, 0, 0, "pair 0 is (2147483647, 0)", "rows")]
    public void Pairs_IndexOutOfRange(int row, int column, int position, string expected, string parameter)
    {
        using var x = Tensor.Zeros(Device, 3, 4);
        int[] rows = [0, 1, 2];
        int[] columns = [3, 2, 1];
        (rows[position], columns[position]) = (row, column);

        Assert.That(() => Ops.Gather(x, rows, columns), Throws.ArgumentException
            .With.Message.Contains(expected).And.Message.Contains("outside x of shape (3, 4)")
            .And.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter));
    }

    [TestCase(2, 3)]
    [TestCase(0, 1)]
    [TestCase(0, 0)]
    public void Pairs_CountsDifferOrEmpty(int rows, int columns)
    {
        using var x = Tensor.Zeros(Device, 3, 4);

        Assert.That(() => Ops.Gather(x, new int[rows], new int[columns]), Throws.ArgumentException
            .With.Message.Contains($"{rows} rows and {columns} columns given").And.Message.Contains("at least one"));
    }

    [Test]
    public void Gathers_NotAMatrix()
    {
        using var v = Tensor.Zeros(Device, 4);
        using var labels = Labels.FromArray(Device, [0], 4);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Gather(v, [0], [0]), Throws.ArgumentException.With.Message.Contains("Gather: x must be a matrix").And.Message.Contains("(4,)"));
            Assert.That(() => Ops.Gather(v, labels), Throws.ArgumentException.With.Message.Contains("Gather: x must be a matrix").And.Message.Contains("(4,)"));
        }
    }

    [TestCase(3, 4, "got 3 labels for 4 classes")]
    [TestCase(2, 5, "got 2 labels for 5 classes")]
    public void Labels_CountOrClassesDiffer(int count, int classes, string expected)
    {
        using var x = Tensor.Zeros(Device, 2, 4);
        using var labels = Labels.FromArray(Device, new int[count], classes);

        Assert.That(() => Ops.Gather(x, labels), Throws.ArgumentException
            .With.Message.Contains("Gather: 2 rows of 4 classes need 2 labels in 0..3").And.Message.Contains(expected));
    }

    [TestCase(9)]
    [TestCase(0)]
    [TestCase(-1)]
    public void OneHot_TooFewClasses(int classes)
    {
        using var labels = Labels.FromArray(Device, [0, 9], 10);

        Assert.That(() => Ops.OneHot(labels, classes), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"OneHot: {classes} classes cannot hold labels of 10 classes")
            .And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(classes));
    }

    [Test]
    public void OneHot_DisposedOrNullLabels()
    {
        var labels = Labels.FromArray(Device, [0, 1], 2);
        labels.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.OneHot(labels), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => Ops.OneHot(null!), Throws.ArgumentNullException);
        }
    }
}
