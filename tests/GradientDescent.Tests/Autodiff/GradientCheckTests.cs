using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// <see cref="GradientCheck"/> must pass correct gradients and, just as important, flag wrong ones:
/// a checker that always reports small errors would make every gradient test meaningless.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class GradientCheckTests(DeviceUnderTest deviceUnderTest)
{
    private ComputeDevice Device => deviceUnderTest.Device;

    [Test]
    public void SmoothFunction_ReportsSmallErrors()
    {
        using var x = Tensor.FromArray(Device, [0.3f, -1.2f, 0.8f, 2f, -0.5f, 1.1f, 0.7f, -0.9f, 0.4f, 1.5f, -1.4f, 0.2f], 4, 3);
        using var w = Tensor.RandomNormal(Device, [3, 5], std: 0.7f, seed: 3);
        using var b = Tensor.RandomNormal(Device, [5], std: 0.3f, seed: 4);
        using var labels = Labels.FromArray(Device, [4, 0, 2, 2], 5);

        var result = GradientCheck.Run(
            () => Ops.Mean(Ops.SoftmaxCrossEntropy(Ops.AddBias(Ops.MatMul(x, w), b), labels)), [x, w, b]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Sources, Has.Count.EqualTo(3));
            Assert.That(result.Sources.Select(s => s.ElementsChecked), Is.EqualTo(new[] { 12, 15, 5 }));
            // Float32 loss ~1.5 rounds at ~1e-7 relative; over a 2ε = 0.02 step that is ~1e-5 absolute,
            // and the truncation error ε²·f'''/6 is of the same order: 1e-2 relative leaves a wide margin
            // while a wrong rule (errors of 0.3 to 1, below) cannot pass.
            Assert.That(result.MaxRelativeError, Is.LessThan(1e-2), result.ToString());
        }
    }

    [Test]
    public void ReluKinkAtTheCheckedPoint_ReportsALargeError()
    {
        // At x = 0 the tape uses the subgradient 0 while the central difference sees (ε − 0) / 2ε = 0.5.
        using var x = Tensor.FromArray(Device, [1f, 0f, -2f], 3);

        var result = GradientCheck.Run(() => Ops.Sum(Ops.Relu(x)), [x]);

        var report = result.Sources[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.WorstElement, Is.EqualTo(1));
            Assert.That(report.Analytic, Is.Zero);
            // The loss 1 + ε is rounded to float32: ~6e-8 / 0.02 of noise in the difference quotient.
            Assert.That(report.Numeric, Is.EqualTo(0.5).Within(1e-4));
            Assert.That(report.MaxRelativeError, Is.EqualTo(1).Within(1e-4));
            Assert.That(report.MaxAbsoluteError, Is.EqualTo(0.5).Within(1e-4));
        }
    }

    [Test]
    public void GradientThatMissesAPath_ReportsALargeError()
    {
        // f(a) = Σ (a·aᵀ), but the second operand is a copy made through the host, which no tape records
        // (a stop-gradient): the tape sees half of the true gradient, the finite difference all of it.
        var values = new[] { 1f, 2f, -1f, 0.5f, 3f, -2f };
        using var a = Tensor.FromArray(Device, values, 2, 3);
        var clones = new List<Tensor>();
        try
        {
            var result = GradientCheck.Run(() =>
            {
                var constant = Tensor.FromArray(Device, a.ToArray(), 2, 3);
                clones.Add(constant);
                return Ops.Sum(Ops.MatMul(a, constant, transposeB: true));
            }, [a]);

            var report = result.Sources[0];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.MaxRelativeError, Is.EqualTo(0.5).Within(1e-2), result.ToString());
                Assert.That(report.Analytic, Is.EqualTo(report.Numeric / 2).Within(1e-2));
            }
        }
        finally
        {
            clones.ForEach(c => c.Dispose());
        }
    }

    [Test]
    public void Run_RestoresTheSourcesExactly_AndFreesWhatTheFunctionComputed()
    {
        var values = new[] { 0.1f, 0.7f, -0.3f, 1.9f };
        using var x = Tensor.FromArray(Device, values, 2, 2);
        long before = Device.AllocatedBytes;

        GradientCheck.Run(() => Ops.Mean(Ops.Relu(Ops.Scale(x, 1.7f))), [x], epsilon: 1e-3f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(x.ToArray(), Is.EqualTo(values));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
        }
    }

    [Test]
    public void LargeSource_IsSampled()
    {
        using var x = Tensor.RandomNormal(Device, [50], seed: 5);

        var first = GradientCheck.Run(() => Ops.Sum(Ops.Scale(x, 2f)), [x], maxElementsPerSource: 4, seed: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Sources[0].ElementsChecked, Is.EqualTo(4));
            Assert.That(first.MaxRelativeError, Is.LessThan(1e-3), first.ToString());
        }
    }

    [Test]
    public void InsideAnActiveTape_TheCheckDoesNotRecordOnIt()
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var tape = new GradientTape();
        tape.Watch(x);

        GradientCheck.Run(() => Ops.Sum(Ops.Scale(x, 3f)), [x]);

        Assert.That(tape.RecordedOperations, Is.Zero);
    }
}
