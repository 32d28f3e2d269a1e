using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>Exp, Log, Negate, Square, Sqrt, Tanh and Sigmoid, forward and backward through a tape, against the float64 reference.</summary>
/// <remarks>
/// <para>Per-element bounds, with u = 2⁻²⁴. Exp: ε(x) = (4 + |x|)·u relative — a few ulp for the function itself,
/// as libraries and GPUs promise, plus |x|·u where exp is evaluated as 2^(x·log₂e) (PTX ex2.approx), whose rounded
/// argument turns into that much relative error; the CPU paths measured ≤ 2.4u. Log: 4u relative + 2u absolute (PTX
/// lg2.approx errs absolutely near 1; the CPU paths measured ≤ 3.1u relative). Sqrt: 2u, correctly rounded on the CPU and
/// within 2⁻²³ for PTX sqrt.approx. Tanh, for |x| ≥ 0.55 evaluated as 1 − q with q = 2/(e²|ˣ| + 1) ≤ ½: ¾·ε(2x) + 3u
/// (exp's error damped by e/(e + 1) ≤ ¾ and by q/tanh ≤ 1, then three roundings); below, 3u (a series within
/// about u on the ILGPU path; TensorPrimitives.Tanh on the host measured 2.5u).
/// Sigmoid: ε(x) + 2u (exp's error damped by at most 1, then the sum and the quotient). Negate is exact; Square rounds once.</para>
/// <para>Backward, g·f′ with f′ from y: the forward's relative error, then one rounding per operation (g·y; g·(1/x);
/// g·(0.5/y); 2x exact then one product). Tanh's 1 − y² and the sigmoid's 1 − y cancel as |y| → 1, so their bounds
/// are absolute, from the error of y carried through the formula (see <see cref="Bound"/>).</para>
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class UnaryTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private const double U = Tolerance.U;

    public static IEnumerable<TestCaseData> Cases() =>
        from op in Enum.GetValues<UnaryOp>()
        from shape in new int[][] { [], [1], [1, 1], [7, 13], [17, 33], [64, 784] }
        select new TestCaseData(op, shape).SetArgDisplayNames(op.ToString(), shape.Length == 0 ? "scalar" : string.Join("x", shape));

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackward_MatchReference(UnaryOp op, int[] shape)
    {
        var device = Device;
        int n = shape.Aggregate(1, (p, d) => p * d);
        var random = new Random(101 + (int)op);
        var x = Inputs(op, random, n);
        var g = RandomArrays.Normal(random, n);
        using var tx = Tensor.FromArray(device, x, shape);
        using var tg = Tensor.FromArray(device, g, shape);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Apply(op, tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        var (xd, gd) = (x.ToDouble(), g.ToDouble());
        var expected = ReferenceOps.Unary(op, xd);
        var (yBound, dxBound) = Bound(op, xd, expected, gd);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(shape));
            Close.Assert(y.ToArray(), expected, yBound, $"{op} y");
            Close.Assert(dx.ToArray(), ReferenceOps.UnaryBackward(op, xd, gd), dxBound, $"{op} dx");
        }
    }

    [Test]
    public void SpecialValues_FollowIeeeAndTensorFlow()
    {
        float inf = float.PositiveInfinity, nan = float.NaN;

        float[] Run(Func<Tensor, Tensor> f, float[] x)
        {
            using var t = Tensor.FromArray(Device, x, x.Length);
            using var y = f(t);
            return y.ToArray();
        }

        float[] wide = [-inf, -200, -0f, 0f, 200, inf, nan];
        float[] domain = [-inf, -1, -0f, 0f, 1, inf, nan];
        using (Assert.EnterMultipleScope())
        {
            // exp(±200) underflows to 0 and overflows to +∞ in float32. exp(±0) is 1 within one ulp: the host's
            // TensorPrimitives.Exp gives 1 + 2⁻²³ there, inside the few-ulp bound of the tests above.
            var exp = Run(Ops.Exp, wide);
            Assert.That(exp.Where((_, i) => i is not (2 or 3)), Is.EqualTo(new[] { 0f, 0f, inf, inf, nan }));
            Assert.That(exp[2..4], Has.All.InRange(1f, 1f + (2 * (float)U)));
            // As TensorFlow: −∞ at 0, NaN below.
            Assert.That(Run(Ops.Log, domain), Is.EqualTo(new[] { nan, nan, -inf, -inf, 0f, inf, nan }));
            Assert.That(Run(Ops.Sqrt, domain), Is.EqualTo(new[] { nan, nan, -0f, 0f, 1f, inf, nan }));
            // Saturation without overflow; for tiny x, tanh x = x to full precision (x − x³/3 rounds to x).
            Assert.That(Run(Ops.Tanh, [-inf, -200, -1e-30f, -0f, 0f, 1e-7f, 3e-5f, 200, inf, nan]),
                Is.EqualTo(new[] { -1f, -1f, -1e-30f, -0f, 0f, 1e-7f, 3e-5f, 1f, 1f, nan }));
            // Reversed, so the host's eight-lane form gets NaN and +∞ and its scalar tail −∞.
            Assert.That(Run(Ops.Tanh, [nan, inf, 200, 3e-5f, 1e-7f, 0f, -0f, -1e-30f, -200, -inf]),
                Is.EqualTo(new[] { nan, 1f, 1f, 3e-5f, 1e-7f, 0f, -0f, -1e-30f, -1f, -1f }));
            Assert.That(Run(Ops.Sigmoid, wide), Is.EqualTo(new[] { 0f, 0f, 0.5f, 0.5f, 1f, 1f, nan }));
            Assert.That(Run(Ops.Negate, wide), Is.EqualTo(new[] { inf, 200f, 0f, -0f, -200f, -inf, nan }));
            Assert.That(Run(Ops.Square, wide), Is.EqualTo(new[] { inf, 40000f, 0f, 0f, 40000f, inf, nan }));
        }
    }

    /// <summary>The op as the public API spells it.</summary>
    internal static Tensor Apply(UnaryOp op, Tensor x) => op switch
    {
        UnaryOp.Exp => Ops.Exp(x),
        UnaryOp.Log => Ops.Log(x),
        UnaryOp.Negate => Ops.Negate(x),
        UnaryOp.Square => Ops.Square(x),
        UnaryOp.Sqrt => Ops.Sqrt(x),
        UnaryOp.Tanh => Ops.Tanh(x),
        UnaryOp.Sigmoid => Ops.Sigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>
    /// Log and Sqrt on e^U(−5, 5), from 0.007 to 150 and across 1 (away from the pole at 0); Tanh on N(0, 2²)
    /// with every fifth value shrunk by 10⁻⁵, where tanh x ≈ x must keep its relative precision; the rest on N(0, 2²).
    /// </summary>
    private static float[] Inputs(UnaryOp op, Random random, int n) => op switch
    {
        UnaryOp.Log or UnaryOp.Sqrt => [.. RandomArrays.Uniform(random, n, -5, 5).Select(v => MathF.Exp(v))],
        UnaryOp.Tanh => [.. RandomArrays.Normal(random, n, 2).Select((v, i) => i % 5 == 0 ? v * 1e-5f : v)],
        _ => RandomArrays.Normal(random, n, 2),
    };

    /// <summary>Per-element bounds on |y − ref| and |dx − ref|, as derived in the remarks.</summary>
    private static (double[] Y, double[] DX) Bound(UnaryOp op, double[] x, double[] y, double[] g)
    {
        var yBound = new double[x.Length];
        var dxBound = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double ay = Math.Abs(y[i]), ag = Math.Abs(g[i]);
            double derivative = Math.Abs(ReferenceOps.UnaryBackward(op, [x[i]], [1])[0]);
            double rel;   // the forward's relative error bound
            switch (op)
            {
                case UnaryOp.Exp:
                    rel = Exp(x[i]);
                    yBound[i] = rel * ay;
                    dxBound[i] = (rel + Tolerance.Accumulation(1)) * ag * derivative;
                    break;
                case UnaryOp.Log:
                    yBound[i] = (4 * U * ay) + (2 * U);
                    dxBound[i] = Tolerance.Accumulation(2) * ag * derivative;
                    break;
                case UnaryOp.Negate:
                    break;   // exact both ways
                case UnaryOp.Square:
                    yBound[i] = Tolerance.OneRounding * ay;
                    dxBound[i] = Tolerance.OneRounding * ag * derivative;
                    break;
                case UnaryOp.Sqrt:
                    yBound[i] = 2 * U * ay;
                    dxBound[i] = ((2 * U) + Tolerance.Accumulation(2)) * ag * derivative;
                    break;
                case UnaryOp.Tanh:
                    rel = Math.Abs(x[i]) < 0.55 ? 3 * U : (0.75 * Exp(2 * x[i])) + (3 * U);
                    yBound[i] = rel * ay;
                    // 1 − y²: y² errs by 2y²·rel + u·y², the difference and the product by u each.
                    dxBound[i] = ag * ((2 * y[i] * y[i] * rel) + (y[i] * y[i] * U) + (3 * U * derivative));
                    break;
                case UnaryOp.Sigmoid:
                    rel = Exp(x[i]) + (2 * U);
                    yBound[i] = rel * ay;
                    // y·(1 − y): 1 − y errs by rel·y absolute plus its rounding; the product and g·… round once each.
                    dxBound[i] = ag * ((ay * ((rel * ay) + (U * (1 - ay)))) + ((rel + (3 * U)) * derivative));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(op));
            }
        }

        return (yBound, dxBound);
    }

    /// <summary>The relative error bound of a float32 exp at x.</summary>
    private static double Exp(double x) => (4 + Math.Abs(x)) * U;
}
