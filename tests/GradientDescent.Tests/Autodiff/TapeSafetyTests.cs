using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Gradients are never silently wrong: views and copies carry them, an in-place write under a persistent
/// tape is refused, a second-order gradient is refused, and disposing a tape's tensor does not break it.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class TapeSafetyTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    [Test]
    public void RowsView_CarriesTheGradient()
    {
        using var w = Tensor.FromArray(Device, [1f, 2f, 3f, 4f, 5f, 6f], 3, 2);
        using var tape = new GradientTape();
        tape.Watch(w);

        var dw = tape.Gradient(Ops.Sum(w.Rows(1, 2)), w)[0];

        Assert.That(dw?.ToArray(), Is.EqualTo(new[] { 0f, 0f, 1f, 1f, 1f, 1f }), "rows 1 and 2 take the gradient, row 0 none");
    }

    [Test]
    public void RangeSlice_CarriesTheGradient()
    {
        using var w = Tensor.FromArray(Device, [1f, 2f, 3f, 4f, 5f, 6f], 3, 2);
        using var tape = new GradientTape();
        tape.Watch(w);

        var dw = tape.Gradient(Ops.Sum(Ops.Scale(w[..2], 3f)), w)[0];

        Assert.That(dw?.ToArray(), Is.EqualTo(new[] { 3f, 3f, 3f, 3f, 0f, 0f }));
    }

    [Test]
    public void Clone_CarriesTheGradient()
    {
        using var w = Tensor.FromArray(Device, [1f, -2f], 2);
        using var tape = new GradientTape();
        tape.Watch(w);

        var dw = tape.Gradient(Ops.Sum(Ops.Scale(w.Clone(), 2f)), w)[0];

        Assert.That(dw?.ToArray(), Is.EqualTo(new[] { 2f, 2f }));
    }

    [Test]
    public void ReshapeThenRows_CarriesTheGradient_AndAnUnrelatedSourceGetsNull()
    {
        using var w = Tensor.FromArray(Device, [1f, 2f, 3f, 4f], 4);
        using var other = Tensor.FromArray(Device, [1f], 1);
        using var tape = new GradientTape();
        tape.Watch(w);
        tape.Watch(other);

        var grads = tape.Gradient(Ops.Sum(w.Reshape(2, 2).Rows(0, 1)), w, other);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grads[0]?.ToArray(), Is.EqualTo(new[] { 1f, 1f, 0f, 0f }));
            Assert.That(grads[1], Is.Null, "null only where the target does not depend on the source");
        }
    }

    [Test]
    public void PersistentTape_AfterAnInPlaceUpdate_RefusesToMixOldAndNewValues()
    {
        // loss = Σ x·w2; dx = w2ᵀ-sums; after sgd.Apply changes w2, a second dx would come from the new w2.
        using var x = Tensor.FromArray(Device, [1f, 2f], 1, 2);
        using var w2 = Tensor.FromArray(Device, [3f, 4f], 2, 1);
        w2.IsTrainable = true;
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var loss = Ops.Sum(Ops.MatMul(x, w2));
        var first = tape.Gradient(loss, x)[0]!.ToArray();
        var dw2 = tape.Gradient(loss, w2)[0]!;
        using var sgd = new SgdStep(10f);
        sgd.Apply([w2], [dw2]);

        var e = Assert.Throws<InvalidOperationException>(() => tape.Gradient(loss, x));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(new[] { 3f, 4f }));
            Assert.That(e!.Message, Does.Contain("MatMul").And.Contain("(2, 1)").And.Contain("changed in place"));
        }
    }

    [Test]
    public void PersistentTape_WithoutAnUpdate_GivesTheSameGradientAgain()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 1, 2);
        using var w2 = Tensor.FromArray(Device, [3f, 4f], 2, 1);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var loss = Ops.Sum(Ops.MatMul(x, w2));

        var first = tape.Gradient(loss, x)[0]!.ToArray();
        var second = tape.Gradient(loss, x)[0]!.ToArray();

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void SecondOrderGradient_ThrowsNotSupported_NamingTheOperations()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor dx;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            var y = Ops.Sum(Ops.Square(x));
            dx = inner.Gradient(y, x)[0]!;
        }

        var e = Assert.Throws<NotSupportedException>(() => outer.Gradient(Ops.Sum(dx), x));

        Assert.That(e!.Message, Does.Contain("Second-order").And.Contain("Square"));
    }

    [Test]
    public void NestedTapes_FirstOrderOfTheOuterTape_IsUnaffectedByAnInnerGradient()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var outer = new GradientTape();
        outer.Watch(x);
        var z = Ops.Sum(Ops.Scale(x, 4f));
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            inner.Gradient(Ops.Sum(x), x);
        }

        Assert.That(outer.Gradient(z, x)[0]?.ToArray(), Is.EqualTo(new[] { 4f, 4f }), "only a target built on the inner gradient is refused");
    }

    [Test]
    public void DisposingAnIntermediateInsideATape_LeavesTheGradientIntact_AndNothingLeaks()
    {
        using var w = Tensor.FromArray(Device, [1f, -2f, 3f], 3);
        long before = Device.AllocatedBytes;
        float[] dw;
        using (var tape = new GradientTape())
        {
            tape.Watch(w);
            using var h = Ops.Relu(w);          // the tape owns h: this Dispose does nothing
            using var s = Ops.Scale(h, 2f);
            dw = tape.Gradient(Ops.Sum(s), w)[0]!.ToArray();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dw, Is.EqualTo(new[] { 2f, 0f, 2f }));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
        }
    }

    [Test]
    public void ATapeNeverDisposed_IsNamedByTheLineThatCreatedIt()
    {
        using var x = Tensor.FromArray(Device, [1f], 1);
        int line = LineHere() + 1;
        var tape = new GradientTape(persistent: true);   // this line is the one the report names
        Ops.Scale(x, 2f);

        var usage = Device.GetMemoryUsage();
        tape.Dispose();

        Assert.That(usage.Select(u => u.Owner), Has.Some.Contains($"GradientTape created at TapeSafetyTests.cs:{line}"));
    }

    private static int LineHere([System.Runtime.CompilerServices.CallerLineNumber] int line = 0) => line;
}
