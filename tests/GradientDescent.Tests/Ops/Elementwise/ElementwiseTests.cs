using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>Add, Subtract and Scale, forward and backward, against the float64 reference.</summary>
/// <remarks>
/// Each output element is one correctly rounded float32 operation: rtol = <see cref="Tolerance.OneRounding"/>,
/// atol = 0. Backward: Add passes g through and Subtract negates it (exact); Scale multiplies once (one rounding).
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class ElementwiseTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    /// <summary>Not a power of two, so scaling really rounds.</summary>
    private const float Factor = -0.37f;

    public static IEnumerable<TestCaseData> Shapes() =>
        new int[][] { [], [1], [7], [13, 17], [33, 31], [64, 784] }
            .Select(s => new TestCaseData(s).SetArgDisplayNames(s.Length == 0 ? "scalar" : string.Join("x", s)));

    [TestCaseSource(nameof(Shapes))]
    public void Add_ForwardAndBackward_MatchReference(int[] shape) => AssertCombine(shape, subtract: false);

    [TestCaseSource(nameof(Shapes))]
    public void Subtract_ForwardAndBackward_MatchReference(int[] shape) => AssertCombine(shape, subtract: true);

    [TestCaseSource(nameof(Shapes))]
    public void Scale_ForwardAndBackward_MatchReference(int[] shape)
    {
        var device = Device;
        int n = shape.Aggregate(1, (p, d) => p * d);
        var random = new Random(51);
        var x = RandomArrays.Normal(random, n);
        var g = RandomArrays.Normal(random, n);
        using var tx = Tensor.FromArray(device, x, shape);
        using var tg = Tensor.FromArray(device, g, shape);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.Scale(tx, Factor);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(shape));
            Close.Assert(y.ToArray(), ReferenceOps.Scale(x.ToDouble(), Factor), 0, Tolerance.OneRounding, "Scale y");
            Close.Assert(dx.ToArray(), ReferenceOps.ScaleBackward(g.ToDouble(), Factor), 0, Tolerance.OneRounding, "Scale dx");
        }
    }

    private void AssertCombine(int[] shape, bool subtract)
    {
        var device = Device;
        int n = shape.Aggregate(1, (p, d) => p * d);
        var random = new Random(subtract ? 52 : 53);
        var a = RandomArrays.Normal(random, n);
        var b = RandomArrays.Normal(random, n);
        var g = RandomArrays.Normal(random, n);
        using var ta = Tensor.FromArray(device, a, shape);
        using var tb = Tensor.FromArray(device, b, shape);
        using var tg = Tensor.FromArray(device, g, shape);
        using var tape = new GradientTape();
        tape.Watch(ta);
        tape.Watch(tb);

        var y = subtract ? Ops.Subtract(ta, tb) : Ops.Add(ta, tb);
        var grads = tape.Gradient(Upstream.Weighted(y, tg), ta, tb);

        var expected = subtract ? ReferenceOps.Subtract(a.ToDouble(), b.ToDouble()) : ReferenceOps.Add(a.ToDouble(), b.ToDouble());
        var (da, db) = subtract ? ReferenceOps.SubtractBackward(g.ToDouble()) : ReferenceOps.AddBackward(g.ToDouble());
        string op = subtract ? "Subtract" : "Add";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(shape));
            Close.Assert(y.ToArray(), expected, 0, Tolerance.OneRounding, $"{op} y");
            Close.Assert(grads[0]!.ToArray(), da, 0, 0, $"{op} da");
            Close.Assert(grads[1]!.ToArray(), db, 0, 0, $"{op} db");
        }
    }
}
