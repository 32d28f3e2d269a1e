using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to Sum, Mean and Max along an axis fails at the public boundary, before any kernel launch, with the
/// exception type the docs promise and a message that names the shape and the axis; nothing stays allocated (the
/// leak check after every test holds that).
/// </summary>
[TestFixture]
public sealed class AxisReductionErrorTests
{
    private static readonly (string Name, Func<Tensor, int, Tensor> Op)[] Reductions =
    [
        ("Sum", (x, axis) => Ops.Sum(x, axis)),
        ("Mean", (x, axis) => Ops.Mean(x, axis, keepDims: true)),
        ("Max", (x, axis) => Ops.Max(x, axis)),
    ];

    private static ComputeDevice Device => TestDevices.Shared;

    [TestCase(new[] { 2, 3 }, 2, "valid: -2 to 1")]
    [TestCase(new[] { 2, 3 }, -3, "valid: -2 to 1")]
    [TestCase(new[] { 4 }, 1, "valid: -1 to 0")]
    [TestCase(new[] { 4 }, -2, "valid: -1 to 0")]
    public void AxisOutOfRange(int[] shape, int axis, string valid)
    {
        using var x = Tensor.Zeros(Device, shape);

        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, op) in Reductions)
            {
                Assert.That(() => op(x, axis), Throws.TypeOf<ArgumentOutOfRangeException>()
                    .With.Message.Contains($"{name}: axis {axis} does not exist for x of shape {x.ShapeText}").And.Message.Contains(valid)
                    .And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(axis), name);
            }
        }
    }

    [TestCase(new int[0], "()")]
    [TestCase(new[] { 2, 3, 4 }, "(2, 3, 4)")]
    public void ScalarOrRankThree(int[] shape, string text)
    {
        using var x = Tensor.Zeros(Device, shape);

        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, op) in Reductions)
            {
                Assert.That(() => op(x, 0), Throws.ArgumentException.With.Message.Contains($"{name}: reductions along an axis take a vector or a matrix")
                    .And.Message.Contains($"x has shape {text}").And.Property(nameof(ArgumentException.ParamName)).EqualTo("x"), name);
            }
        }
    }

    [Test]
    public void DisposedOrNull()
    {
        var gone = Tensor.Zeros(Device, 2, 3);
        gone.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Sum(gone, 1), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Sum: x (shape (2, 3)) has been disposed"));
            Assert.That(() => Ops.Max(gone), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Max: x"));
            Assert.That(() => Ops.Mean(null!, 0), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("x"));
        }
    }
}
