using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>The tape's semantics, mirroring <c>tf.GradientTape</c>.</summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class GradientTapeTests(DeviceUnderTest deviceUnderTest)
{
    private ComputeDevice Device => deviceUnderTest.Device;

    [Test]
    public void TrainableTensors_AreWatchedAutomatically()
    {
        using var w = Tensor.FromArray(Device, [1f, -2f, 3f], 3);
        w.IsTrainable = true;
        using var tape = new GradientTape();

        var y = Ops.Sum(Ops.Scale(w, 3f));
        var dw = tape.Gradient(y, w)[0];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tape.RecordedOperations, Is.EqualTo(2));
            Assert.That(dw, Is.Not.Null);
            Assert.That(dw!.ToArray(), Is.EqualTo(new[] { 3f, 3f, 3f }));
        }
    }

    [Test]
    public void NonTrainableTensors_AreNotWatched_UnlessWatchIsCalled()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var unwatched = new GradientTape();
        var y1 = Ops.Sum(x);
        var none = unwatched.Gradient(y1, x)[0];
        unwatched.Dispose();

        using var watched = new GradientTape();
        watched.Watch(x);
        var y2 = Ops.Sum(Ops.Scale(x, -1.5f));
        var dx = watched.Gradient(y2, x)[0];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(none, Is.Null, "an unwatched constant has no gradient, as in TensorFlow");
            Assert.That(dx!.ToArray(), Is.EqualTo(new[] { -1.5f, -1.5f }));
        }
    }

    [Test]
    public void Gradient_IsNull_ForASourceTheTargetDoesNotDependOn()
    {
        using var a = Tensor.FromArray(Device, [1f, 2f], 2);
        using var b = Tensor.FromArray(Device, [3f, 4f], 2);
        using var tape = new GradientTape();
        tape.Watch(a);
        tape.Watch(b);

        var y = Ops.Sum(Ops.Scale(a, 2f));
        var grads = tape.Gradient(y, a, b);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grads, Has.Length.EqualTo(2));
            Assert.That(grads[0]!.ToArray(), Is.EqualTo(new[] { 2f, 2f }));
            Assert.That(grads[1], Is.Null);
        }
    }

    [Test]
    public void NonScalarTarget_DifferentiatesTheSumOfItsElements()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        using var w = Tensor.FromArray(Device, [1f, 0f, -1f, 2f, 0.5f, 3f], 3, 2);
        using var tape = new GradientTape();
        tape.Watch(w);

        var y = Ops.MatMul(x, w);
        var dw = tape.Gradient(y, w)[0]!;

        // d Σᵢⱼ (x·w)ᵢⱼ / d w[p, j] = Σᵢ x[i, p]: the column sums of x, repeated across j.
        Assert.That(dw.ToArray(), Is.EqualTo(new[] { 5f, 5f, 7f, 7f, 9f, 9f }));
    }

    [Test]
    public void NonPersistentTape_UsedTwice_Throws()
    {
        using var x = Tensor.FromArray(Device, [1f], 1);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Ops.Sum(x);
        tape.Gradient(y, x);

        Assert.That(() => tape.Gradient(y, x),
            Throws.InvalidOperationException.With.Message.Contains("not persistent").And.Message.Contains("persistent: true"));
    }

    [Test]
    public void PersistentTape_GivesEqualResultsEveryTime()
    {
        using var x = Tensor.FromArray(Device, [0.5f, -1f, 2f, 3f], 2, 2);
        using var b = Tensor.FromArray(Device, [0.1f, -0.2f], 2);
        using var labels = Labels.FromArray(Device, [1, 0], 2);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        tape.Watch(b);

        var loss = Ops.Mean(Ops.SoftmaxCrossEntropy(Ops.AddBiasRelu(x, b), labels));
        var first = tape.Gradient(loss, x, b);
        var second = tape.Gradient(loss, x, b);
        var onlyB = tape.Gradient(loss, b);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tape.IsPersistent, Is.True);
            Assert.That(second[0]!.ToArray(), Is.EqualTo(first[0]!.ToArray()));
            Assert.That(second[1]!.ToArray(), Is.EqualTo(first[1]!.ToArray()));
            Assert.That(onlyB[0]!.ToArray(), Is.EqualTo(first[1]!.ToArray()));
            Assert.That(second[0], Is.Not.SameAs(first[0]), "each call returns fresh tensors");
            Assert.That(first[0]!.ToArray(), Has.Some.Not.Zero);
        }
    }

    [Test]
    public void TensorUsedTwice_AccumulatesItsGradients()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f, 3f], 3);
        using var tape = new GradientTape();
        tape.Watch(x);

        // x reaches the target along four paths: twice through y, through z's Scale, and y feeds both sums.
        var y = Ops.Add(x, x);
        var z = Ops.Subtract(y, Ops.Scale(x, 3f));
        var total = Ops.Add(Ops.Sum(y), Ops.Sum(z));
        var dx = tape.Gradient(total, x)[0]!;

        // total = Σ 2x + Σ (2x − 3x) = Σ x: dx = 2 + (2 − 3) = 1.
        Assert.That(dx.ToArray(), Is.EqualTo(new[] { 1f, 1f, 1f }));
    }

    [Test]
    public void AddOfATensorWithItself_HasGradientTwo()
    {
        using var x = Tensor.FromArray(Device, [1f, -2f], 2);
        using var tape = new GradientTape();
        tape.Watch(x);

        var dx = tape.Gradient(Ops.Sum(Ops.Add(x, x)), x)[0]!;

        Assert.That(dx.ToArray(), Is.EqualTo(new[] { 2f, 2f }));
    }

    [Test]
    public void MatMulOfATensorWithItself_SumsBothPaths()
    {
        // f(a) = Σ (a·aᵀ); df/da = (1·a) + (1ᵀ·a)ᵀ-style terms: both operands contribute.
        double[] values = [1, 2, -1, 0.5, 3, -2];
        using var a = Tensor.FromArray(Device, [.. values.Select(v => (float)v)], 2, 3);
        using var tape = new GradientTape();
        tape.Watch(a);

        var da = tape.Gradient(Ops.MatMul(a, a, transposeB: true), a)[0]!;

        // Σᵢⱼ Σₚ a[i,p]·a[j,p] = Σₚ (Σᵢ a[i,p])²: d/da[i,p] = 2·Σᵢ' a[i',p].
        var expected = new double[6];
        for (int i = 0; i < 2; i++)
        {
            for (int p = 0; p < 3; p++)
            {
                expected[(i * 3) + p] = 2 * (values[p] + values[3 + p]);
            }
        }

        Close.Assert(da.ToArray(), expected, 1e-6, 1e-6, "d Σ(a·aᵀ) / da");
    }

    [Test]
    public void Reshape_InsideTheTape_PropagatesGradients()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f, 3f, 4f, 5f, 6f], 6);
        using var w = Tensor.FromArray(Device, [1f, 10f], 2, 1);
        using var tape = new GradientTape();
        tape.Watch(x);

        var matrix = x.Reshape(3, -1);
        var y = Ops.Sum(Ops.MatMul(matrix, w));
        var dx = tape.Gradient(y, x)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dx.ShapeText, Is.EqualTo("(6,)"));
            Assert.That(dx.ToArray(), Is.EqualTo(new[] { 1f, 10f, 1f, 10f, 1f, 10f }));
        }
    }

    [Test]
    public void Gradient_WithRespectToAnIntermediate()
    {
        using var x = Tensor.FromArray(Device, [1f, -1f, 2f], 3);
        using var tape = new GradientTape();
        tape.Watch(x);

        var h = Ops.Scale(x, 2f);
        var y = Ops.Sum(Ops.Relu(h));
        var grads = tape.Gradient(y, h, x);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grads[0]!.ToArray(), Is.EqualTo(new[] { 1f, 0f, 1f }));
            Assert.That(grads[1]!.ToArray(), Is.EqualTo(new[] { 2f, 0f, 2f }));
        }
    }

    [Test]
    public void NestedTapes_BothRecord_AndResultsOutliveTheInnerTape()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var outer = new GradientTape();
        outer.Watch(x);

        Tensor y;
        Tensor innerGradient;
        int outerOpsBeforeInnerGradient;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            y = Ops.Scale(x, 3f);
            outerOpsBeforeInnerGradient = outer.RecordedOperations;
            innerGradient = inner.Gradient(Ops.Sum(y), x)[0]!;
            Assert.That(innerGradient.ToArray(), Is.EqualTo(new[] { 3f, 3f }));
            Assert.That(inner.RecordedOperations, Is.EqualTo(2));
        }

        // The outer tape owns y (results belong to the outermost tape), so y survives the inner tape, and
        // so does the inner tape's gradient, which belongs with the results.
        var z = Ops.Sum(Ops.Scale(y, 2f));
        var dx = outer.Gradient(z, x)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.IsDisposed, Is.False);
            Assert.That(innerGradient.IsDisposed, Is.False);
            Assert.That(outerOpsBeforeInnerGradient, Is.EqualTo(1));
            Assert.That(outer.RecordedOperations, Is.EqualTo(5),
                "Scale, Sum (inner's), the inner gradient as a node that refuses second-order gradients, Scale, Sum");
            Assert.That(dx.ToArray(), Is.EqualTo(new[] { 6f, 6f }));
        }
    }

    [Test]
    public void NestedTapes_TheOuterTapeIgnoresWhatOnlyTheInnerWatches()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var outer = new GradientTape();
        using var inner = new GradientTape();
        inner.Watch(x);

        var y = Ops.Sum(Ops.Scale(x, 4f));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outer.RecordedOperations, Is.Zero);
            Assert.That(outer.Gradient(y, x)[0], Is.Null);
            Assert.That(inner.Gradient(y, x)[0]!.ToArray(), Is.EqualTo(new[] { 4f, 4f }));
        }
    }

    [Test]
    public void Dispose_FreesEveryIntermediateAndGradientTheTapeOwns()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        using var w = Tensor.FromArray(Device, [.. Enumerable.Range(0, 12).Select(i => (i % 5) - 2f)], 3, 4);
        using var b = Tensor.FromArray(Device, [0.5f, -0.5f, 1f, 0f], 4);
        using var labels = Labels.FromArray(Device, [3, 1], 4);
        w.IsTrainable = true;
        b.IsTrainable = true;
        long before = Device.AllocatedBytes;
        Tensor loss;
        Tensor?[] grads;

        using (var tape = new GradientTape())
        {
            loss = Ops.Mean(Ops.SoftmaxCrossEntropy(Ops.AddBiasRelu(Ops.MatMul(x, w), b), labels));
            grads = tape.Gradient(loss, w, b);
            Assert.That(Device.AllocatedBytes, Is.GreaterThan(before));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
            Assert.That(loss.IsDisposed, Is.True);
            Assert.That(grads.Select(g => g!.IsDisposed), Is.All.True);
            Assert.That(x.IsDisposed || w.IsDisposed || b.IsDisposed, Is.False, "the tape never frees its sources");
        }
    }

    [Test]
    public void Clone_KeepsAResultBeyondTheTape()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        Tensor kept;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            kept = tape.Gradient(Ops.Sum(Ops.Scale(x, 5f)), x)[0]!.Clone();
        }

        using (kept)
        {
            Assert.That(kept.ToArray(), Is.EqualTo(new[] { 5f, 5f }));
        }
    }

    [Test]
    public void WithoutATape_TheCallerOwnsResults()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        long before = Device.AllocatedBytes;

        var y = Ops.Scale(x, 2f);
        long during = Device.AllocatedBytes;
        y.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(during, Is.GreaterThan(before));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
        }
    }

    [Test]
    public async Task Tape_RecordsAcrossAwait_WhicheverThreadTheContinuationRunsOn()
    {
        using var x = Tensor.FromArray(Device, [1f, -2f], 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Ops.Scale(x, 3f);
        // A continuation on a thread-pool thread: tapes flow with the async context, not the thread.
        await Task.Run(() => { }).ConfigureAwait(false);
        var z = Ops.Sum(y);
        await Task.Yield();

        var dx = tape.Gradient(z, x)[0];

        Assert.That(dx?.ToArray(), Is.EqualTo(new[] { 3f, 3f }));
    }

    [Test]
    public async Task Tape_CreatedInsideAnAsyncMethod_IsNotSeenByItsCaller()
    {
        using var x = Tensor.FromArray(Device, [1f], 1);
        x.IsTrainable = true;
        var inner = await RecordInside(x).ConfigureAwait(false);
        using var y = Ops.Scale(x, 2f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(inner.RecordedOperations, Is.EqualTo(1), "only the op inside the async method");
            Assert.That(y.IsDisposed, Is.False, "the caller owns what it computes after the method returns");
        }

        inner.Dispose();

        static async Task<GradientTape> RecordInside(Tensor x)
        {
            await Task.Yield();
            var tape = new GradientTape();
            Ops.Scale(x, 5f);
            return tape;
        }
    }

    [Test]
    public void TapeDisposedFromAnotherThread_StopsRecordingAndOwningOnItsOwn()
    {
        using var x = Tensor.FromArray(Device, [1f], 1);
        x.IsTrainable = true;
        var tape = new GradientTape();
        var thread = new Thread(tape.Dispose);
        thread.Start();
        thread.Join();
        long before = Device.AllocatedBytes;

        var y = Ops.Scale(x, 2f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tape.RecordedOperations, Is.Zero);
            Assert.That(Device.AllocatedBytes, Is.GreaterThan(before), "y is the caller's");
        }

        y.Dispose();
        Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "and the caller can free it");
    }

    [Test]
    public void ATapeOnAnotherThread_DoesNotRecordThisThreadsOperations()
    {
        using var x = Tensor.FromArray(Device, [1f], 1);
        x.IsTrainable = true;
        GradientTape? tape = null;
        var started = new Thread(() => tape = new GradientTape());
        started.Start();
        started.Join();

        using var y = Ops.Scale(x, 2f);

        Assert.That(tape!.RecordedOperations, Is.Zero);
        tape.Dispose();
    }

    [Test]
    public void DisposedTape_Throws()
    {
        using var x = Tensor.FromArray(Device, [1f], 1);
        var tape = new GradientTape();
        tape.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => tape.Watch(x), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => tape.Gradient(x, x), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(tape.Dispose, Throws.Nothing);
        }
    }
}
