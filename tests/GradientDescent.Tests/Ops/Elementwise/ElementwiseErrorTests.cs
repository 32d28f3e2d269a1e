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

    [TestCase(new[] { 2, 3 }, new[] { 2 }, "extents 3 and 2 differ")]
    [TestCase(new[] { 4, 1 }, new[] { 3, 1 }, "extents 4 and 3 differ")]
    [TestCase(new[] { 5 }, new[] { 2, 4 }, "extents 5 and 4 differ")]
    public void Binary_ShapesDoNotBroadcast(int[] aShape, int[] bShape, string extents)
    {
        using var a = Tensor.Zeros(Device, aShape);
        using var b = Tensor.Zeros(Device, bShape);

        foreach (var op in new Func<Tensor, Tensor, Tensor>[] { Ops.Add, Ops.Subtract, Ops.Multiply, Ops.Divide, Ops.Maximum, Ops.Minimum, (x, y) => x * y })
        {
            Assert.That(() => op(a, b), Throws.ArgumentException.With.Message.Contains("do not broadcast").And.Message.Contains(extents)
                .And.Message.Contains(Text(aShape)).And.Message.Contains(Text(bShape)));
        }
    }

    [Test]
    public void Binary_RankThree()
    {
        using var a = Tensor.Zeros(Device, 2, 2, 2);
        using var b = Tensor.Zeros(Device, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Multiply(a, b), Throws.ArgumentException
                .With.Message.Contains("rank 2 or less").And.Message.Contains("(2, 2, 2)").And.Message.Contains("(2,)"));
            Assert.That(() => Ops.Maximum(b, a), Throws.ArgumentException.With.Message.Contains("rank 2 or less").And.Message.Contains("(2, 2, 2)"));
        }
    }

    [Test]
    public void Binary_DifferentDevices()
    {
        using var other = ComputeDevice.Create("cpu");
        using var a = Tensor.Zeros(Device, 2);
        using var b = Tensor.Zeros(other, 2);

        Assert.That(() => Ops.Divide(a, b), Throws.ArgumentException.With.Message.Contains("Divide: tensors live on different devices"));
    }

    [Test]
    public void Binary_DisposedOrNullOperand()
    {
        var gone = Tensor.Zeros(Device, 2, 3);
        gone.Dispose();
        using var b = Tensor.Zeros(Device, 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Maximum(gone, b), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Maximum: a (shape (2, 3)) has been disposed"));
            Assert.That(() => Ops.Multiply(b, null!), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("b"));
            Assert.That(() => Ops.Exp(gone), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Exp: x (shape (2, 3)) has been disposed"));
        }
    }

    [Test]
    public void Divide_ByZeroScalar()
    {
        using var x = Tensor.Zeros(Device, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Divide(x, 0f), Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Message.Contains("divisor s must not be zero").And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(0f));
            Assert.That(() => x / -0f, Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("must not be zero"));
        }
    }

    public static IEnumerable<TestCaseData> ScalarForms() =>
        from form in new (string Name, Func<Tensor, float, Tensor> Op)[]
        {
            ("Add", Ops.Add), ("Subtract", Ops.Subtract), ("Subtract", (x, s) => Ops.Subtract(s, x)), ("Multiply", Ops.Multiply),
            ("Divide", Ops.Divide), ("Divide", (x, s) => Ops.Divide(s, x)), ("Maximum", Ops.Maximum), ("Minimum", Ops.Minimum),
        }
        from s in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity }
        select new TestCaseData(form.Name, form.Op, s).SetArgDisplayNames(form.Name, s.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [TestCaseSource(nameof(ScalarForms))]
    public void ScalarForm_NonFiniteScalar(string name, Func<Tensor, float, Tensor> op, float s)
    {
        using var x = Tensor.Zeros(Device, 2);

        Assert.That(() => op(x, s), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"{name}: s must be finite, but is {s}").And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(s));
    }

    private static string Text(int[] shape) => shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
}
