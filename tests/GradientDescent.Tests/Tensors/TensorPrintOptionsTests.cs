using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary><see cref="Tensor.ToString(TensorPrintOptions)"/>: precision, edge items and ShowAll, and the options' bad values.</summary>
[TestFixture]
public sealed class TensorPrintOptionsTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void Default_IsWhatToStringUses()
    {
        using var t = Tensor.FromArray(Device, [.. Enumerable.Range(0, 100).Select(i => i / 7f)], 10, 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.ToString(TensorPrintOptions.Default), Is.EqualTo(t.ToString()));
            Assert.That(TensorPrintOptions.Default.EdgeItems, Is.EqualTo(3));
            Assert.That(TensorPrintOptions.Default.Precision, Is.EqualTo(6));
            Assert.That(TensorPrintOptions.Default.ShowAll, Is.False);
        }
    }

    [Test]
    public void Precision_GivesSignificantDigits_NineShowEveryFloatExactly()
    {
        using var t = Tensor.FromArray(Device, [1.23456789f, 0.1f, -2500.125f], 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.ToString(new TensorPrintOptions { Precision = 3 }), Does.EndWith("values=[1.23, 0.1, -2.5E+03]>"));
            // Nine significant digits tell every float32 apart: 0.1f is 0.100000001.
            Assert.That(t.ToString(new TensorPrintOptions { Precision = 9 }), Does.EndWith("values=[1.23456788, 0.100000001, -2500.125]>"));
            Assert.That(t.ToString(new TensorPrintOptions { Precision = 1 }), Does.EndWith("values=[1, 0.1, -3E+03]>"));
        }
    }

    [Test]
    public void EdgeItems_AndShowAll_ChooseWhatIsSummarised()
    {
        using var m = Tensor.FromArray(Device, [.. Enumerable.Range(0, 25).Select(i => (float)i)], 5, 5);
        using var v = Tensor.FromArray(Device, [.. Enumerable.Range(0, 1000).Select(i => (float)i)], 1000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(m.ToString(new TensorPrintOptions { EdgeItems = 1 }),
                Does.EndWith("values=[[0, ..., 4],\n    ...,\n    [20, ..., 24]]>"));
            // Five is not more than twice 3: shown whole by default.
            Assert.That(m.ToString(), Does.EndWith("values=[[0, 1, 2, 3, 4],\n    [5, 6, 7, 8, 9],\n    [10, 11, 12, 13, 14],\n    [15, 16, 17, 18, 19],\n    [20, 21, 22, 23, 24]]>"));
            Assert.That(v.ToString(new TensorPrintOptions { EdgeItems = 2 }), Does.EndWith("values=[0, 1, ..., 998, 999]>"));
            var all = v.ToString(new TensorPrintOptions { ShowAll = true });
            Assert.That(all, Does.Not.Contain("...").And.Contain(", 500, 501, ").And.EndWith("998, 999]>"));
            Assert.That(all.Split(", "), Has.Length.EqualTo(1000 + 2), "every element, after the shape's and the device's separators");
        }
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void EdgeItems_BelowOne_IsRejected(int edge) =>
        Assert.That(() => new TensorPrintOptions { EdgeItems = edge }, Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo(nameof(TensorPrintOptions.EdgeItems))
            .And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(edge)
            .And.Message.Contains($"'{edge}'"));

    [TestCase(0)]
    [TestCase(10)]
    public void Precision_OutsideOneToNine_IsRejected(int precision) =>
        Assert.That(() => new TensorPrintOptions { Precision = precision }, Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo(nameof(TensorPrintOptions.Precision))
            .And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(precision)
            .And.Message.Contains($"'{precision}'"));

    [Test]
    public void NullOptions_AreRejected()
    {
        using var t = Tensor.Zeros(Device, 2);

        Assert.That(() => t.ToString(null!), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("options"));
    }
}
