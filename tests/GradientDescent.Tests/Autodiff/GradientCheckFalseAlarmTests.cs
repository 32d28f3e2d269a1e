using System.Diagnostics;
using CustomKernel;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The gradient check's false-alarm rate on the seed's net, before (the old check: central differences at
/// ε = 1e-2, worst relative error) and after (the verdict at its defaults), over 100 seeds of TwoLayerNet
/// 784 → 100 → 10 at initialisation with 32 rows of random pixels and of shipped digits; and its power, the
/// custom net with a backward off by 10%. Run it with
/// <c>dotnet test --project tests/GradientDescent.Tests -c Release -- --filter "FullyQualifiedName~FalseAlarm"</c>
/// (explicit: a few minutes on two cores).
/// </summary>
[TestFixture]
[Explicit("measurement over 100 seeds; minutes")]
[Category("Measurement")]
public sealed class GradientCheckFalseAlarmTests
{
    private const int Seeds = 100;
    private static readonly Lazy<MnistData> s_digits = new(Mnist10k.Read);

    private static ComputeDevice Device => TestDevices.Shared;

    [TestCase(false)]
    [TestCase(true)]
    public void SeedNet_FalseAlarms_BeforeAndAfter(bool digits)
    {
        int oldAbove1e2 = 0, oldAbove05 = 0, failed = 0, kinks = 0, checkedElements = 0;
        var oldWorst = new List<double>();
        var clock = Stopwatch.StartNew();
        double verdictSeconds = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Seed = (ulong)seed });
            var (x, labels) = Batch(Device, digits, seed);
            using (x)
            using (labels)
            {
                double worst = OldWorstRelativeError(() => net.Loss(x, labels), net.Parameters);
                oldWorst.Add(worst);
                oldAbove1e2 += worst > 1e-2 ? 1 : 0;
                oldAbove05 += worst > 0.5 ? 1 : 0;

                long start = Stopwatch.GetTimestamp();
                var result = GradientCheck.Run(() => net.Loss(x, labels), net.Parameters);
                verdictSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                failed += result.Passed ? 0 : 1;
                kinks += result.NonDifferentiable.Count;
                checkedElements += result.Elements.Count;
                if (!result.Passed)
                {
                    TestContext.Out.WriteLine($"seed {seed}: {result.Report}");
                }
            }
        }

        oldWorst.Sort();
        TestContext.Out.WriteLine(
            $"{(digits ? "digits" : "random pixels")}, {Seeds} seeds on {Device}: before, worst relative error median {oldWorst[Seeds / 2]:G2}, "
            + $"> 1e-2 in {oldAbove1e2}, > 0.5 in {oldAbove05}; after, {failed} failed, {kinks} non-differentiable points of "
            + $"{checkedElements} checked; the verdict took {verdictSeconds / Seeds * 1000:F0} ms a seed, {clock.Elapsed.TotalSeconds:F0} s in all.");
        Assert.That(failed, Is.Zero);
    }

    [Test]
    public void CustomNet_BackwardOffByTenPercent_IsCaught()
    {
        int caught = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            using var net = new LeakyReluNet(Device, seed: (ulong)seed);
            var (x, labels) = Batch(Device, digits: true, seed);
            using (x)
            using (labels)
            {
                var result = GradientCheck.Run(() => Ops.Mean(Ops.SoftmaxCrossEntropy(Ops.AddBias(Ops.MatMul(
                    LeakyReluGradientTests.WrongLeakyRelu(Ops.AddBias(Ops.MatMul(x, net.W1), net.B1), LeakyRelu.DefaultSlope, 1.1f, false),
                    net.W2), net.B2), labels)), net.Parameters);
                caught += result.Passed ? 0 : 1;
            }
        }

        TestContext.Out.WriteLine($"a leaky ReLU backward off by 10% failed the check in {caught} of {Seeds} seeds");
        Assert.That(caught, Is.EqualTo(Seeds));
    }

    /// <summary>32 rows of random pixels in [0, 1) with random labels, or 32 consecutive shipped digits, chosen by the seed.</summary>
    internal static (Tensor X, Labels Labels) Batch(ComputeDevice device, bool digits, int seed)
    {
        var random = new Random(seed);
        if (!digits)
        {
            return (Tensor.FromArray(device, RandomArrays.Uniform(random, 32 * 784, 0, 1), 32, 784),
                Labels.FromArray(device, RandomArrays.Labels(random, 32, 10), 10));
        }

        var data = s_digits.Value;
        int start = random.Next(data.Count - 32);
        float[] pixels = [.. data.Pixels.Slice(start * 784, 32 * 784).ToArray().Select(p => p / 255f)];
        int[] classes = [.. data.Labels.Slice(start, 32).ToArray().Select(l => (int)l)];
        return (Tensor.FromArray(device, pixels, 32, 784), Labels.FromArray(device, classes, 10));
    }

    /// <summary>
    /// The check as it shipped before the verdict: 32 elements per source sampled with seed 0, central differences
    /// at ε = 1e-2, and the worst |analytic − numeric| / max(|analytic|, |numeric|, 1e-3).
    /// </summary>
    private static double OldWorstRelativeError(Func<Tensor> function, IReadOnlyList<Tensor> sources)
    {
        float[][] analytic;
        using (var scope = TensorScope.Isolated())
        using (var tape = new GradientTape())
        {
            analytic = [.. tape.Gradient(function(), [.. sources]).Select(g => g!.ToArray())];
        }

        var sampler = new NormalSampler(0);
        double worst = 0;
        for (int s = 0; s < sources.Count; s++)
        {
            var values = sources[s].ToArray();
            var chosen = new SortedSet<int>();
            while (chosen.Count < Math.Min(32, values.Length))
            {
                chosen.Add((int)(sampler.NextBits() % (ulong)values.Length));
            }

            foreach (int i in chosen)
            {
                float x = values[i];
                double plus = At(sources[s], i, x + 1e-2f, function);
                double minus = At(sources[s], i, x - 1e-2f, function);
                At(sources[s], i, x, null);
                double numeric = (plus - minus) / ((double)(x + 1e-2f) - (x - 1e-2f));
                double error = Math.Abs(analytic[s][i] - numeric) / Math.Max(Math.Max(Math.Abs(analytic[s][i]), Math.Abs(numeric)), 1e-3);
                worst = Math.Max(worst, error);
            }
        }

        return worst;
    }

    private static double At(Tensor source, int index, float value, Func<Tensor>? function)
    {
        ElementwiseKernels.Fill(Tensor.ViewOf(source, index, [1]), value);
        if (function is null)
        {
            return 0;
        }

        using var scope = TensorScope.Isolated();
        return function().Item();
    }
}
