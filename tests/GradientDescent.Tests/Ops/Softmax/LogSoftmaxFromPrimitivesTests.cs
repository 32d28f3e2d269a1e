using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The notebook's <c>log_softmax(x) = x − log(reduce_sum(exp(x), axis=−1, keepdims=True))</c>, written with the
/// elementwise and axis primitives, against the fused <see cref="Ops.LogSoftmax"/> and the float64 reference,
/// forward and gradient; and the notebook's loss <c>−mean(log_softmax(x)[range(n), labels])</c>.
/// </summary>
/// <remarks>
/// <para>Forward bound, per element, for logits |x| ≤ M: each exp errs by ε = (4 + M)·u (see <see cref="UnaryTests"/>),
/// the row sum S of positive terms by γ(cols) relative, so S by ε + γ(cols); log turns that into the same absolute
/// error and adds its own 4u·|log S| + 2u; the subtraction rounds once (u·|y|). The fused op is held to
/// <see cref="Tolerance.LogSoftmax"/>; the two then agree within the sum of their bounds.</para>
/// <para>Gradient: dx = g − p·Σg. The composed path forms Σg (γ(cols)·Σ|g|), divides by S and multiplies by exp(x)
/// (S's and exp's errors and three roundings), then adds g (one rounding): p·Σ|g|·(γ(cols) + ε_S + ε + 3u) + u·|dx|.</para>
/// <para>Without the row maximum subtracted, exp overflows from x ≈ 88.7: moderate logits only, and the last test
/// shows the composition failing where the fused op does not.</para>
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class LogSoftmaxFromPrimitivesTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private const double U = Tolerance.U;

    [TestCase(1, 1)]
    [TestCase(7, 13)]
    [TestCase(64, 10)]
    [TestCase(5, 300)]
    public void Composition_EqualsLogSoftmax_ForwardAndGradient(int rows, int cols)
    {
        const double scale = 3;
        var device = Device;
        var random = new Random(201);
        var x = RandomArrays.Uniform(random, rows * cols, -scale, scale);
        var g = RandomArrays.Normal(random, rows * cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tg = Tensor.FromArray(device, g, rows, cols);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(tx);

        var composed = tx - Ops.Log(Ops.Sum(Ops.Exp(tx), -1, keepDims: true));
        var fused = Ops.LogSoftmax(tx);
        var dComposed = tape.Gradient(Upstream.Weighted(composed, tg), tx)[0]!;
        var dFused = tape.Gradient(Upstream.Weighted(fused, tg), tx)[0]!;

        var (xd, gd) = (x.ToDouble(), g.ToDouble());
        var y = ReferenceOps.LogSoftmax(xd, rows, cols);
        var dx = ReferenceOps.LogSoftmaxBackward(xd, gd, rows, cols);
        double m = x.Max(v => Math.Abs((double)v));
        double exp = (4 + m) * U, sum = exp + Tolerance.Accumulation(cols);
        var logS = Enumerable.Range(0, rows * cols).Select(i => xd[i] - y[i]).ToArray();
        var yBound = y.Select((v, i) => sum + (4 * U * Math.Abs(logS[i])) + (2 * U) + (U * Math.Abs(v))).ToArray();
        var gAbs = Enumerable.Range(0, rows).Select(r => gd.Skip(r * cols).Take(cols).Sum(Math.Abs)).ToArray();
        var dxBound = dx.Select((v, i) => (Math.Exp(y[i]) * gAbs[i / cols] * (Tolerance.Accumulation(cols) + sum + exp + (3 * U))) + (U * Math.Abs(v))).ToArray();
        double fusedBound = Tolerance.LogSoftmax(cols, m);
        double fusedDxBound = (fusedBound + Tolerance.Accumulation(cols) + (4 * U)) * gAbs.Max();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(composed.Shape, Is.EqualTo(new[] { rows, cols }));
            Close.Assert(composed.ToArray(), y, yBound, "composed y");
            Close.Assert(composed.ToArray(), fused.ToArray().ToDouble(), [.. yBound.Select(b => b + fusedBound)], "composed vs fused y");
            Close.Assert(dComposed.ToArray(), dx, dxBound, "composed dx");
            Close.Assert(dComposed.ToArray(), dFused.ToArray().ToDouble(), [.. dxBound.Select(b => b + fusedDxBound)], "composed vs fused dx");
        }
    }

    [Test]
    public void NotebookLoss_EqualsTheFusedCrossEntropy()
    {
        var device = Device;
        var random = new Random(202);
        const int rows = 64, cols = 10;
        var x = RandomArrays.Uniform(random, rows * cols, -3, 3);
        var labels = RandomArrays.Labels(random, rows, cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tl = Labels.FromArray(device, labels, cols);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(tx);

        var notebook = -Ops.Mean(Ops.Gather(Ops.LogSoftmax(tx), tl));
        var fused = Ops.Mean(Ops.SoftmaxCrossEntropy(tx, tl));
        var dNotebook = tape.Gradient(notebook, tx)[0]!;
        var dFused = tape.Gradient(fused, tx)[0]!;

        // Each path: the log-softmax bound per row, then a 64-term mean of losses |ce| ≤ 2·3 + ln cols (γ(64) of that)
        // and its scaling by 1/64 (exact) and the negation (exact); the two paths differ by at most twice that.
        // Gradients (g = ∓1/64 per row, a power of two): the log-softmax backward bound (see SoftmaxCrossEntropyTests)
        // for the notebook's path, the softmax bound for the fused one.
        double lossBound = 2 * (Tolerance.LogSoftmax(cols, 3) + (Tolerance.Accumulation(rows) * ((2 * 3) + Math.Log(cols))));
        double dxBound = (Tolerance.LogSoftmax(cols, 3) + Tolerance.Accumulation(cols) + (4 * U) + Tolerance.Softmax(cols) + (2 * U)) / rows;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(notebook.Shape, Is.Empty);
            Close.Assert([notebook.Item()], [fused.Item()], lossBound, 0, "loss");
            Close.Assert(dNotebook.ToArray(), dFused.ToArray().ToDouble(), dxBound, 0, "dlogits");
        }
    }

    [Test]
    public void Composition_Overflows_WhereLogSoftmaxDoesNot()
    {
        using var tx = Tensor.FromArray(Device, [1000, 0, -1000], 1, 3);

        using var e = Ops.Exp(tx);
        using var s = Ops.Sum(e, -1, keepDims: true);
        using var log = Ops.Log(s);
        using var composed = tx - log;
        using var fused = Ops.LogSoftmax(tx);

        using (Assert.EnterMultipleScope())
        {
            // exp(1000) = ∞, so log Σ = ∞ and every x − ∞ = −∞: the notebook's form loses every value.
            Assert.That(composed.ToArray(), Has.All.EqualTo(float.NegativeInfinity));
            Close.Assert(fused.ToArray(), [0, -1000, -2000], Tolerance.LogSoftmax(3, 1000), 0, "fused");
        }
    }
}
