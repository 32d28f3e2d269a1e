using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// <see cref="GradientCheck"/> must pass correct gradients and, just as important, fail wrong ones: a checker that
/// always passes would make every gradient test meaningless. Kinks are reported, not failed.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class GradientCheckTests(DeviceUnderTest deviceUnderTest)
{
    private ComputeDevice Device => deviceUnderTest.Device;

    [Test]
    public void SmoothFunction_Passes()
    {
        using var x = Tensor.FromArray(Device, [0.3f, -1.2f, 0.8f, 2f, -0.5f, 1.1f, 0.7f, -0.9f, 0.4f, 1.5f, -1.4f, 0.2f], 4, 3);
        using var w = Tensor.RandomNormal(Device, [3, 5], std: 0.7f, seed: 3);
        using var b = Tensor.RandomNormal(Device, [5], std: 0.3f, seed: 4);
        using var labels = Labels.FromArray(Device, [4, 0, 2, 2], 5);

        var result = GradientCheck.Run(
            () => Ops.Mean(Ops.SoftmaxCrossEntropy(Ops.AddBias(Ops.MatMul(x, w), b), labels)), [x, w, b]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Passed, Is.True, result.Report);
            Assert.That(result.Sources.Select(s => s.ElementsChecked), Is.EqualTo(new[] { 12, 15, 5 }));
            Assert.That(result.NonDifferentiable, Is.Empty, "a smooth function has no kinks");
            Assert.That(result.Report, Does.StartWith("Gradient check passed: 0 of 32 compared elements differ"));
            // Float32 rounding of the ~1.5 loss, ~1e-7, over steps of 2e-3: a few 1e-5 at most.
            Assert.That(result.MaxAbsoluteError, Is.LessThan(1e-4), result.Report);
        }
    }

    [Test]
    public void ReluKinkAtTheCheckedPoint_IsReportedAsNonDifferentiable_NotAsAFailure()
    {
        // At x = 0 the tape takes the subgradient 0 while the central difference sees 0.5: neither is the
        // derivative, and the one-sided differences (0 on the left, 1 on the right) show why.
        using var x = Tensor.FromArray(Device, [1f, 0f, -2f], 3);

        var result = GradientCheck.Run(() => Ops.Sum(Ops.Relu(x)), [x]);

        var kink = result.NonDifferentiable.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Passed, Is.True, result.Report);
            Assert.That((kink.Source, kink.Index, kink.Outcome), Is.EqualTo((0, 1, GradientCheckOutcome.NonDifferentiable)));
            Assert.That(kink.Left, Is.Zero);
            Assert.That(kink.Right, Is.EqualTo(1).Within(1e-3));
            Assert.That(result.Report, Does.Contain("1 non-differentiable point not compared").And.Contain("source 0 [1]: left 0, right "));
        }
    }

    [Test]
    public void EveryPointOnAKink_FailsBecauseNothingWasCompared()
    {
        using var x = Tensor.FromArray(Device, [0f, 0f], 2);

        var result = GradientCheck.Run(() => Ops.Sum(Ops.Relu(x)), [x]);

        Assert.That(result.Passed, Is.False);
        Assert.That(result.Report, Does.StartWith("Gradient check failed: none of 2 elements could be compared"));
    }

    [Test]
    public void GradientThatMissesAPath_Fails_ListingTheWorstElements()
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

            var worst = result.Failures[0];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Passed, Is.False);
                Assert.That(result.Failures, Has.Count.EqualTo(6), "every element misses half its gradient");
                Assert.That(worst.Analytic, Is.EqualTo(worst.Numeric / 2).Within(1e-2 * Math.Abs(worst.Numeric)));
                Assert.That(result.Report, Does.StartWith("Gradient check failed: 6 of 6 compared elements differ beyond atol + rtol·|numeric|")
                    .And.Contain("Worst failures:").And.Contain($"source 0 [{worst.Position[0]}, {worst.Position[1]}]: analytic "));
                var thrown = Assert.Throws<GradientCheckException>(() => result.ThrowIfFailed());
                Assert.That(thrown!.Message, Is.EqualTo(result.Report));
                Assert.That(thrown.Result, Is.SameAs(result));
            }
        }
        finally
        {
            clones.ForEach(c => c.Dispose());
        }
    }

    [Test]
    public void ExplicitTolerances_AreThoseApplied()
    {
        using var x = Tensor.FromArray(Device, [0.5f, -1.5f], 2);
        var options = new GradientCheckOptions { AbsoluteTolerance = 1e-3, RelativeTolerance = 0.5 };

        var result = GradientCheck.Run(() => Ops.Sum(Ops.Scale(x, 3f)), [x], options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Elements.Select(e => e.Allowed), Is.EqualTo(new[] { 1e-3 + 1.5, 1e-3 + 1.5 }).Within(1e-3));
            Assert.That((result.AbsoluteTolerance, result.RelativeTolerance), Is.EqualTo(((double?)1e-3, 0.5)));
        }
    }

    [Test]
    public void NoiseOfAFunctionWithCancellation_IsMeasured_SoTheCheckPasses()
    {
        // f = Σ ((x + 1000) − 1000): about 1 in value, but each term is rounded at 1000's ulp (6e-5), so the
        // noise is far above half an ulp of f. The check must see that, or the default atol would be too small.
        using var x = Tensor.RandomNormal(Device, [64], std: 0.1f, seed: 5);
        using var offset = Tensor.Constant(Device, 1000f, 64);

        var result = GradientCheck.Run(() => Ops.Sum(Ops.Subtract(Ops.Add(x, offset), offset)), [x]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Noise, Is.GreaterThan(1e-5), result.Report);
            Assert.That(result.Passed, Is.True, result.Report);
        }
    }

    [Test]
    public void Run_RestoresTheSourcesExactly_AndFreesWhatTheFunctionComputed()
    {
        var values = new[] { 0.1f, 0.7f, -0.3f, 1.9f };
        using var x = Tensor.FromArray(Device, values, 2, 2);
        long before = Device.AllocatedBytes;

        GradientCheck.Run(() => Ops.Mean(Ops.Relu(Ops.Scale(x, 1.7f))), [x], new GradientCheckOptions { Step = 1e-3 });

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

        var result = GradientCheck.Run(() => Ops.Sum(Ops.Scale(x, 2f)), [x], new GradientCheckOptions { MaxElementsPerSource = 4, Seed = 1 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Sources[0].ElementsChecked, Is.EqualTo(4));
            Assert.That(result.Elements.Select(e => e.Index), Is.Ordered.And.Unique);
            Assert.That(result.Passed, Is.True, result.Report);
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
