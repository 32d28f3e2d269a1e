using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The scalar forms — x + s, x − s, s − x, x·s, Scale, x / s, s / x, max(x, s), min(x, s) — forward and backward
/// through a tape, against the broadcasting reference with s as a scalar operand.
/// </summary>
/// <remarks>
/// Forward: one rounding (rtol = <see cref="Tolerance.OneRounding"/>); max and min are exact. Backward, c roundings
/// per element (γ(c), <see cref="Tolerance.Accumulation"/>): ±g exact; s·g one; g·(1/s) two; g·(−y/x) with
/// y = fl(s/x) three; the selections of max and min exact.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ScalarTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    /// <summary>Not a power of two (so products and quotients really round) and not an integer ± ½ (so no ties with the operands).</summary>
    private const float S = -0.37f;

    /// <summary>Each form: the op, the reference as (binary op, whether x is the first operand), and roundings in dx.</summary>
    private static readonly (string Name, Func<Tensor, Tensor> Op, BinaryOp Reference, bool XFirst, int Roundings)[] Forms =
    [
        ("x + s", x => Ops.Add(x, S), BinaryOp.Add, true, 0),
        ("x - s", x => Ops.Subtract(x, S), BinaryOp.Subtract, true, 0),
        ("s - x", x => Ops.Subtract(S, x), BinaryOp.Subtract, false, 0),
        ("x * s", x => Ops.Multiply(x, S), BinaryOp.Multiply, true, 1),
        ("Scale", x => Ops.Scale(x, S), BinaryOp.Multiply, true, 1),
        ("x / s", x => Ops.Divide(x, S), BinaryOp.Divide, true, 2),
        ("s / x", x => Ops.Divide(S, x), BinaryOp.Divide, false, 3),
        ("max(x, s)", x => Ops.Maximum(x, S), BinaryOp.Maximum, true, 0),
        ("min(x, s)", x => Ops.Minimum(x, S), BinaryOp.Minimum, true, 0),
    ];

    public static IEnumerable<TestCaseData> Cases() =>
        from form in Enumerable.Range(0, Forms.Length)
        from shape in new int[][] { [], [1], [7, 13], [33, 65], [64, 784] }
        select new TestCaseData(form, shape).SetArgDisplayNames(Forms[form].Name, shape.Length == 0 ? "scalar" : string.Join("x", shape));

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackward_MatchReference(int form, int[] shape)
    {
        var (name, op, reference, xFirst, roundings) = Forms[form];
        var device = Device;
        int n = shape.Aggregate(1, (p, d) => p * d);
        var random = new Random(111 + form);
        // |x| ≥ 0.1: away from the pole of s / x, and at least 0.04 from s, so no tie with it.
        var x = RandomArrays.AwayFromZero(random, n, 0.1, 2).Select(v => Math.Abs(v - S) < 0.04 ? v + 0.1f : v).ToArray();
        var g = RandomArrays.Normal(random, n);
        using var tx = Tensor.FromArray(device, x, shape);
        using var tg = Tensor.FromArray(device, g, shape);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = op(tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        var (xd, gd) = (x.ToDouble(), g.ToDouble());
        double[] s = [S];
        var expected = xFirst ? ReferenceOps.Broadcast(reference, xd, shape, s, []) : ReferenceOps.Broadcast(reference, s, [], xd, shape);
        var (da, db) = xFirst ? ReferenceOps.BroadcastBackward(reference, xd, shape, s, [], gd) : ReferenceOps.BroadcastBackward(reference, s, [], xd, shape, gd);
        bool exact = reference is BinaryOp.Maximum or BinaryOp.Minimum;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(shape), $"{name} shape");
            Close.Assert(y.ToArray(), expected, 0, exact ? 0 : Tolerance.OneRounding, $"{name} y");
            Close.Assert(dx.ToArray(), xFirst ? da : db, 0, Tolerance.Accumulation(roundings), $"{name} dx");
        }
    }

    [Test]
    public void MaximumWithZero_PassesTheGradientAtZero_WhereReluDoesNot()
    {
        float[] x = [-1, 0, -0f, 2];
        float[] g = [10, 20, 30, 40];
        using var tx = Tensor.FromArray(Device, x, 4);
        using var tg = Tensor.FromArray(Device, g, 4);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(tx);

        var max = Ops.Maximum(tx, 0f);
        var relu = Ops.Relu(tx);
        var dMax = tape.Gradient(Upstream.Weighted(max, tg), tx)[0]!;
        var dRelu = tape.Gradient(Upstream.Weighted(relu, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(max.ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 2 }));
            // x ≥ 0 holds at +0 and at −0, so TensorFlow's rule gives both the gradient; Relu takes the subgradient 0.
            Assert.That(dMax.ToArray(), Is.EqualTo(new float[] { 0, 20, 30, 40 }));
            Assert.That(dRelu.ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 40 }));
        }
    }

    [Test]
    public void MaximumMinimum_WithAScalar_TieGoesToX_AndNaNPropagates()
    {
        float[] x = [0.5f, 1, 2, float.NaN];
        float[] g = [10, 20, 30, 40];
        using var tx = Tensor.FromArray(Device, x, 4);
        using var tg = Tensor.FromArray(Device, g, 4);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(tx);

        var max = Ops.Maximum(tx, 1f);
        var min = Ops.Minimum(tx, 1f);
        var dMax = tape.Gradient(Upstream.Weighted(max, tg), tx)[0]!;
        var dMin = tape.Gradient(Upstream.Weighted(min, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(max.ToArray(), Is.EqualTo(new[] { 1f, 1, 2, float.NaN }));
            Assert.That(min.ToArray(), Is.EqualTo(new[] { 0.5f, 1, 1, float.NaN }));
            // At x = s (element 1) the gradient goes to x for both; a NaN x fails x ≥ s and x ≤ s, so it gets none
            // (TensorFlow's masks; the upstream product's gradient is w whatever y holds).
            Assert.That(dMax.ToArray(), Is.EqualTo(new float[] { 0, 20, 30, 0 }));
            Assert.That(dMin.ToArray(), Is.EqualTo(new float[] { 10, 20, 0, 0 }));
        }
    }
}
