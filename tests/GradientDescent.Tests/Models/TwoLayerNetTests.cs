using ILGPU.Runtime;
using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class TwoLayerNetTests(DeviceUnderTest deviceUnderTest)
{
    private ComputeDevice Device => deviceUnderTest.Device;

    public static IEnumerable<TestCaseData> Architectures()
    {
        yield return new TestCaseData(20, 7, 3, true, 8).SetName("{m}(20-7-3, bias, 8 rows)");
        yield return new TestCaseData(20, 7, 3, false, 8).SetName("{m}(20-7-3, no bias, 8 rows)");
        yield return new TestCaseData(784, 16, 10, true, 6).SetName("{m}(784-16-10, bias, 6 rows)");
        yield return new TestCaseData(13, 1, 2, true, 1).SetName("{m}(13-1-2, bias, 1 row)");
    }

    [Test]
    public void Float64Reference_MatchesFloat64FiniteDifferences()
    {
        // The oracle checks itself first: in float64 a step of 1e-6 has ~1e-10 relative rounding error,
        // and no ReLU kink lies that close to this point (asserted), so 1e-6 relative is generous.
        var reference = new TwoLayerNetReference(5, 4, 3, useBias: true);
        var random = new Random(1);
        double[][] parameters = [Normal(random, 20, 0.8), Normal(random, 4, 0.3), Normal(random, 12, 0.8), Normal(random, 3, 0.3)];
        var x = Normal(random, 3 * 5, 1);
        int[] labels = [2, 0, 1];
        var at = reference.Evaluate(x, labels, parameters);
        Assert.That(at.MinAbsPreActivation, Is.GreaterThan(1e-3));

        const double h = 1e-6;
        using (Assert.EnterMultipleScope())
        {
            for (int s = 0; s < parameters.Length; s++)
            {
                for (int i = 0; i < parameters[s].Length; i++)
                {
                    double saved = parameters[s][i];
                    parameters[s][i] = saved + h;
                    double plus = reference.Evaluate(x, labels, parameters).Loss;
                    parameters[s][i] = saved - h;
                    double minus = reference.Evaluate(x, labels, parameters).Loss;
                    parameters[s][i] = saved;
                    double numeric = (plus - minus) / (2 * h);
                    Assert.That(at.Gradients[s][i], Is.EqualTo(numeric).Within(1e-6 * Math.Max(1, Math.Abs(numeric))), $"source {s} element {i}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Architectures))]
    public void TapeGradients_MatchTheFloat64Reference(int inputs, int hidden, int classes, bool useBias, int rows)
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = inputs, Hidden = hidden, Classes = classes, UseBias = useBias, Seed = 3 });
        RandomBiases(net, seed: 4);
        var (xValues, labelValues) = Problem(rows, inputs, classes, seed: 5);
        using var x = Tensor.FromArray(Device, xValues, rows, inputs);
        using var labels = Labels.FromArray(Device, labelValues, classes);
        var expected = TwoLayerNetReference.For(net).Evaluate(Doubles(xValues), labelValues, TwoLayerNetReference.Parameters(net));

        using var tape = new GradientTape();
        var loss = net.Loss(x, labels);
        var grads = tape.Gradient(loss, net.Parameters);

        // Float32 sums of up to `inputs` products: ~√inputs·6e-8 relative rounding per element, far below
        // 1e-4; an absolute floor for the elements whose gradient is almost zero.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(loss.Item(), Is.EqualTo(expected.Loss).Within(1e-3).Percent);
            Assert.That(grads, Has.Length.EqualTo(useBias ? 4 : 2));
            for (int s = 0; s < grads.Length; s++)
            {
                Assert.That(grads[s]!.Shape, Is.EqualTo(net.Parameters[s].Shape));
                double scale = expected.Gradients[s].Max(Math.Abs);
                Close.Assert(grads[s]!.ToArray(), expected.Gradients[s], atol: 1e-6 * Math.Max(scale, 1e-3), rtol: 1e-4, $"gradient {s}");
            }
        }
    }

    [Test]
    public void TapeGradients_MatchFloat32FiniteDifferences()
    {
        // Every element of every parameter of a 20-7-3 net (171 in all), through the public checker.
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 20, Hidden = 7, Classes = 3, Seed = 11 });
        RandomBiases(net, seed: 12);
        var (xValues, labelValues) = Problem(8, 20, 3, seed: 13);
        using var x = Tensor.FromArray(Device, xValues, 8, 20);
        using var labels = Labels.FromArray(Device, labelValues, 3);
        const float epsilon = 1e-2f;
        // A finite difference across a ReLU kink is meaningless (see GradientCheckTests), so first make
        // sure no pre-activation is within reach: a step of ε in W1[p, j] moves z1[r, j] by x[r, p]·ε.
        var reference = TwoLayerNetReference.For(net).Evaluate(Doubles(xValues), labelValues, TwoLayerNetReference.Parameters(net));
        double reach = epsilon * Math.Max(1, xValues.Max(Math.Abs));
        Assert.That(reference.MinAbsPreActivation, Is.GreaterThan(reach), "test data must keep every ReLU away from its kink");

        var result = GradientCheck.Run(() => net.Loss(x, labels), net.Parameters, epsilon: epsilon, maxElementsPerSource: 1000, minimumScale: 1e-2);

        // Justification of the tolerance. The loss (~1.3) is a float32 computed through ~20-term sums; its
        // rounding error is a few ulps, ~3e-7 absolute, and the difference quotient divides it by 2ε = 0.02:
        // ~2e-5 absolute noise (measured: at most 1.3e-5). The truncation error of the central difference,
        // ε²/6·f‴, is smaller for these O(1) weights and inputs. Gradients below minimumScale = 1e-2 are
        // compared absolutely, so the noise is at most ~2e-5 / 1e-2 = 2e-3 relative (measured: 1.3e-3);
        // 1e-2 keeps a margin and is still far below the 0.5 to 1 relative error of a wrong or missing
        // term (GradientCheckTests). A smaller ε is worse, not better: at ε = 1e-3 rounding dominates.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Sources.Sum(s => s.ElementsChecked), Is.EqualTo(171));
            Assert.That(result.MaxRelativeError, Is.LessThan(1e-2), result.ToString());
            Assert.That(result.Sources.Max(s => s.MaxAbsoluteError), Is.LessThan(1e-4), result.ToString());
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void TrainStep_MatchesTapePlusSgd_AsTheBatchSizeChanges(bool useBias)
    {
        var options = new TwoLayerNetOptions { Inputs = 20, Hidden = 7, Classes = 3, UseBias = useBias, Seed = 21 };
        using var fused = new TwoLayerNet(Device, options);
        using var taped = new TwoLayerNet(Device, options);
        var (xValues, labelValues) = Problem(12, 20, 3, seed: 22);
        using var x = Tensor.FromArray(Device, xValues, 12, 20);
        var sgd = new SgdStep(0.3f);

        // Grow, shrink (leading rows of the workspace), grow past the first size (a new workspace), shrink.
        int[] batches = [8, 5, 8, 12, 3, 12];
        for (int step = 0; step < batches.Length; step++)
        {
            int n = batches[step];
            using var batch = x.Rows(0, n);
            using var labels = Labels.FromArray(Device, labelValues.AsSpan(0, n), 3);

            float fusedLoss = fused.TrainStep(batch, labels, sgd).Item();
            float tapedLoss;
            using (var tape = new GradientTape())
            {
                var loss = taped.Loss(batch, labels);
                tapedLoss = loss.Item();
                sgd.Apply(taped.Parameters, tape.Gradient(loss, [.. taped.Parameters]));
            }

            using (Assert.EnterMultipleScope())
            {
                Assert.That(fusedLoss, Is.EqualTo(tapedLoss).Within(1e-4).Percent, $"loss at step {step} (batch {n})");
                for (int s = 0; s < fused.Parameters.Count; s++)
                {
                    Close.Assert(fused.Parameters[s].ToArray(), Doubles(taped.Parameters[s].ToArray()), 1e-6, 1e-5,
                        $"parameter {s} after step {step} (batch {n})");
                }
            }
        }
    }

    [Test]
    public void TrainStep_GradientsMatchTheFloat64Reference()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 20, Hidden = 7, Classes = 3, Seed = 31 });
        RandomBiases(net, seed: 32);
        var (xValues, labelValues) = Problem(8, 20, 3, seed: 33);
        using var x = Tensor.FromArray(Device, xValues, 8, 20);
        using var labels = Labels.FromArray(Device, labelValues, 3);
        var expected = TwoLayerNetReference.For(net).Evaluate(Doubles(xValues), labelValues, TwoLayerNetReference.Parameters(net));

        float loss = net.TrainStep(x, labels, new SgdStep(0.1f)).Item();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(loss, Is.EqualTo(expected.Loss).Within(1e-3).Percent, "the loss before the update");
            for (int s = 0; s < net.Gradients.Count; s++)
            {
                double scale = expected.Gradients[s].Max(Math.Abs);
                Close.Assert(net.Gradients[s].ToArray(), expected.Gradients[s], 1e-6 * Math.Max(scale, 1e-3), 1e-4, $"gradient {s}");
            }
        }
    }

    [Test]
    public void TrainStep_AllocatesNothingAfterTheFirstStep()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 784, Hidden = 16, Classes = 10 });
        var (xValues, labelValues) = Problem(16, 784, 10, seed: 41);
        using var x = Tensor.FromArray(Device, xValues, 16, 784);
        using var labels = Labels.FromArray(Device, labelValues, 10);
        using var smallBatch = x.Rows(0, 9);
        using var smallLabels = Labels.FromArray(Device, labelValues.AsSpan(0, 9), 10);
        var sgd = new SgdStep(0.05f);
        var first = net.TrainStep(x, labels, sgd);
        long after = Device.AllocatedBytes;

        var losses = new List<float>();
        for (int step = 0; step < 10; step++)
        {
            var loss = step % 3 == 2 ? net.TrainStep(smallBatch, smallLabels, sgd) : net.TrainStep(x, labels, sgd);
            Assert.That(loss, Is.SameAs(first), "the loss tensor is reused");
            losses.Add(loss.Item());
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Device.AllocatedBytes, Is.EqualTo(after));
            Assert.That(losses, Is.All.Positive);
        }
    }

    [Test]
    public void TrainStep_LowersTheLossOnALearnableProblem()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 20, Hidden = 16, Classes = 3, Seed = 51 });
        var (xValues, labelValues) = Problem(64, 20, 3, seed: 52);
        using var x = Tensor.FromArray(Device, xValues, 64, 20);
        using var labels = Labels.FromArray(Device, labelValues, 3);
        var sgd = new SgdStep(0.5f);

        var losses = new List<float>();
        for (int step = 0; step < 30; step++)
        {
            losses.Add(net.TrainStep(x, labels, sgd).Item());
        }

        double accuracy = net.Accuracy(x, labels);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(losses, Is.All.Not.NaN);
            Assert.That(losses[^1], Is.LessThan(0.5f * losses[0]), string.Join(", ", losses));
            Assert.That(losses.TakeLast(10).Max(), Is.LessThan(losses.Take(10).Min()));
            Assert.That(accuracy, Is.GreaterThan(0.8f));
        }
    }

    [TestCase(WeightInit.He)]
    [TestCase(WeightInit.Tutorial)]
    public void Initialisation_HasTheExpectedScale_AndZeroBiases(WeightInit init)
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Init = init, Seed = 61 });

        var w1 = net.W1.ToArray();
        var w2 = net.W2.ToArray();
        double expectedStd1 = init == WeightInit.He ? Math.Sqrt(2.0 / 784) : 1e-4;
        double expectedStd2 = init == WeightInit.He ? Math.Sqrt(2.0 / 100) : 1e-4;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(net.W1.ShapeText, Is.EqualTo("(784, 100)"));
            Assert.That(net.W2.ShapeText, Is.EqualTo("(100, 10)"));
            // Five standard errors of a sample standard deviation, σ/√(2n), and of a mean, σ/√n.
            Assert.That(Std(w1), Is.EqualTo(expectedStd1).Within(5 * expectedStd1 / Math.Sqrt(2.0 * w1.Length)));
            Assert.That(Std(w2), Is.EqualTo(expectedStd2).Within(5 * expectedStd2 / Math.Sqrt(2.0 * w2.Length)));
            Assert.That(w1.Average(v => (double)v), Is.EqualTo(0).Within(5 * expectedStd1 / Math.Sqrt(w1.Length)));
            Assert.That(net.B1!.ToArray(), Is.All.Zero);
            Assert.That(net.B2!.ToArray(), Is.All.Zero);
            Assert.That(net.Parameters.Select(p => p.IsTrainable), Is.All.True);
        }
    }

    [Test]
    public void Initialisation_SameSeedSameWeights_DifferentSeedDifferentWeights()
    {
        var options = new TwoLayerNetOptions { Inputs = 30, Hidden = 8, Classes = 4, Seed = 71 };
        using var a = new TwoLayerNet(Device, options);
        using var b = new TwoLayerNet(Device, options);
        using var c = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 30, Hidden = 8, Classes = 4, Seed = 72 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.W1.ToArray(), Is.EqualTo(a.W1.ToArray()));
            Assert.That(b.W2.ToArray(), Is.EqualTo(a.W2.ToArray()));
            Assert.That(c.W1.ToArray(), Is.Not.EqualTo(a.W1.ToArray()));
            Assert.That(c.W2.ToArray(), Is.Not.EqualTo(a.W2.ToArray()));
        }
    }

    [Test]
    public void WithoutBias_HasTwoParameters_AndForwardIsTwoProducts()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 6, Hidden = 5, Classes = 4, UseBias = false, Seed = 81 });
        var (xValues, labelValues) = Problem(3, 6, 4, seed: 82);
        using var x = Tensor.FromArray(Device, xValues, 3, 6);
        var expected = TwoLayerNetReference.For(net).Evaluate(Doubles(xValues), labelValues, TwoLayerNetReference.Parameters(net));

        using var logits = net.Forward(x);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(net.B1, Is.Null);
            Assert.That(net.B2, Is.Null);
            Assert.That(net.Parameters, Has.Count.EqualTo(2));
            Assert.That(net.Gradients, Has.Count.EqualTo(2));
            Assert.That(net.Parameters[0], Is.SameAs(net.W1));
            Assert.That(net.Parameters[1], Is.SameAs(net.W2));
            Close.Assert(logits.ToArray(), expected.Logits, 1e-5, 1e-5, "logits");
        }
    }

    [Test]
    public void PredictAndAccuracy_AgreeWithTheHostArgmaxOfForward()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 20, Hidden = 7, Classes = 5, Seed = 91 });
        RandomBiases(net, seed: 92);
        var (xValues, _) = Problem(10, 20, 5, seed: 93);
        using var x = Tensor.FromArray(Device, xValues, 10, 20);
        long before = Device.AllocatedBytes;

        using var logits = net.Forward(x);
        var values = logits.ToArray();
        var hostArgmax = Enumerable.Range(0, 10)
            .Select(r => Array.IndexOf(values, values.Skip(r * 5).Take(5).Max(), r * 5) - (r * 5)).ToArray();
        // Labels right on the even rows only: accuracy exactly one half.
        var labelValues = hostArgmax.Select((p, r) => r % 2 == 0 ? p : (p + 1) % 5).ToArray();
        using var labels = Labels.FromArray(Device, labelValues, 5);

        var predicted = net.Predict(x);
        double accuracy = net.Accuracy(x, labels);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(predicted, Is.EqualTo(hostArgmax));
            Assert.That(accuracy, Is.EqualTo(0.5f));
            Assert.That(hostArgmax.Distinct().Count(), Is.GreaterThan(1), "the test needs more than one predicted class");
            Assert.That(Device.AllocatedBytes - before, Is.EqualTo((logits.Length * sizeof(float)) + (labels.Count * sizeof(int))), "Predict and Accuracy free what they compute");
        }
    }

    [Test]
    public void Dispose_ReturnsEveryByte()
    {
        long before = Device.AllocatedBytes;
        var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 20, Hidden = 7, Classes = 3 });
        var (xValues, labelValues) = Problem(4, 20, 3, seed: 101);
        using (var x = Tensor.FromArray(Device, xValues, 4, 20))
        using (var labels = Labels.FromArray(Device, labelValues, 3))
        {
            net.TrainStep(x, labels, new SgdStep(0.1f));
            using var tape = new GradientTape();
            tape.Gradient(net.Loss(x, labels), net.Parameters);
        }

        Assert.That(Device.AllocatedBytes, Is.GreaterThan(before));
        net.Dispose();
        net.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
            Assert.That(net.Parameters.Select(p => p.IsDisposed), Is.All.True);
            Assert.That(net.Gradients.Select(p => p.IsDisposed), Is.All.True);
        }
    }

    /// <summary>Inputs ~N(0, 1) and labels from a random linear teacher, so the problem can be learnt.</summary>
    internal static (float[] X, int[] Labels) Problem(int rows, int inputs, int classes, int seed)
    {
        var random = new Random(seed);
        var x = Normal(random, rows * inputs, 1).Select(v => (float)v).ToArray();
        var teacher = Normal(random, inputs * classes, 1);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            double best = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double score = 0;
                for (int p = 0; p < inputs; p++)
                {
                    score += x[(r * inputs) + p] * teacher[(p * classes) + c];
                }

                if (score > best)
                {
                    (best, labels[r]) = (score, c);
                }
            }
        }

        return (x, labels);
    }

    internal static double[] Doubles(float[] values) => [.. values.Select(v => (double)v)];

    private static double[] Normal(Random random, int count, double std) =>
        [.. Enumerable.Range(0, count).Select(_ => std * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];

    /// <summary>Biases start at zero; give them values so their gradients and broadcasts are really tested.</summary>
    private static void RandomBiases(TwoLayerNet net, int seed)
    {
        if (net.B1 is null || net.B2 is null)
        {
            return;
        }

        var random = new Random(seed);
        foreach (var bias in new[] { net.B1, net.B2 })
        {
            var values = Normal(random, bias.Length, 0.3).Select(v => (float)v).ToArray();
            using var source = Tensor.FromArray(net.Device, values, bias.Length);
            source.View.CopyTo(bias.View);
        }
    }

    private static double Std(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
