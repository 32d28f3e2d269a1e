using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>Sum, Mean and Max along an axis (with and without keepDims) and Max over everything, forward and backward, against the float64 reference.</summary>
/// <remarks>
/// Per output element, over its n reduced terms: a sum errs by at most γ(n)·Σ|x| in any order
/// (<see cref="Tolerance.Accumulation"/>); a mean adds the roundings of fl(1/n) and of the product (γ(2)·|mean|);
/// a maximum selects and is exact. Backward: the sum's g repeated is a copy (exact); the mean's g·fl(1/n) rounds
/// twice (γ(2)); the maximum's share g/t of t ties rounds once (<see cref="Tolerance.OneRounding"/>) and is exact
/// without ties.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class AxisReductionTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    /// <summary>Vectors and matrices: 1, primes, non-multiples of 32, a 64×784 batch, a row of 1500 and a column of 1200.</summary>
    public static IEnumerable<TestCaseData> Cases()
    {
        int[][] vectors = [[1], [7], [1500]];
        int[][] matrices = [[1, 1], [7, 13], [17, 33], [64, 784], [1, 1500], [1200, 3]];
        foreach (var kind in Enum.GetValues<ReductionKind>())
        {
            foreach (var v in vectors)
            {
                yield return Case(kind, v, 0, keepDims: false);
                yield return Case(kind, v, -1, keepDims: true);
            }

            foreach (var m in matrices)
            {
                yield return Case(kind, m, 0, keepDims: false);
                yield return Case(kind, m, 1, keepDims: true);
                yield return Case(kind, m, -1, keepDims: false);
            }
        }

        static TestCaseData Case(ReductionKind kind, int[] shape, int axis, bool keepDims) =>
            new TestCaseData(kind, shape, axis, keepDims).SetArgDisplayNames(kind.ToString(), string.Join("x", shape), $"axis {axis}", keepDims ? "keepDims" : "dropped");
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackward_MatchReference(ReductionKind kind, int[] shape, int axis, bool keepDims)
    {
        var device = Device;
        var (rows, cols, alongRows) = Layout(shape, axis);
        var random = new Random(151 + (int)kind);
        // A non-zero mean, so a sum is not lost in its own rounding error.
        var x = RandomArrays.Normal(random, rows * cols).Select(v => v + 0.5f).ToArray();
        var resultShape = ResultShape(shape, axis, keepDims);
        var g = RandomArrays.Normal(random, alongRows ? rows : cols);
        using var tx = Tensor.FromArray(device, x, shape);
        using var tg = Tensor.FromArray(device, g, resultShape);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Apply(kind, tx, axis, keepDims);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        var (xd, gd) = (x.ToDouble(), g.ToDouble());
        var expected = ReferenceOps.ReduceAxis(kind, xd, rows, cols, alongRows);
        int n = alongRows ? cols : rows;
        var absSums = ReferenceOps.AbsSumAxis(xd, rows, cols, alongRows);
        double[] bound = kind switch
        {
            ReductionKind.Sum => [.. absSums.Select(s => Tolerance.Accumulation(n) * s)],
            ReductionKind.Mean => [.. absSums.Select((s, i) => (Tolerance.Accumulation(n) * s / n) + (Tolerance.Accumulation(2) * Math.Abs(expected[i])))],
            _ => new double[expected.Length],
        };
        double dxTolerance = kind switch
        {
            ReductionKind.Sum => 0,
            ReductionKind.Mean => Tolerance.Accumulation(2),
            _ => Tolerance.OneRounding,
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(resultShape), $"{kind} shape");
            Close.Assert(y.ToArray(), expected, bound, $"{kind} y");
            Assert.That(dx.Shape, Is.EqualTo(shape), $"{kind} dx shape");
            Close.Assert(dx.ToArray(), ReferenceOps.ReduceAxisBackward(kind, xd, rows, cols, alongRows, gd), 0, dxTolerance, $"{kind} dx");
        }
    }

    [TestCase(7, 13, 0)]
    [TestCase(7, 13, 1)]
    [TestCase(40, 70, 0)]
    [TestCase(40, 70, 1)]
    public void Max_Ties_ShareTheGradientEvenly(int rows, int cols, int axis)
    {
        var device = Device;
        var random = new Random(152);
        // Integers in −1..1: every row and column has many ties for its maximum.
        var x = Enumerable.Range(0, rows * cols).Select(_ => (float)random.Next(-1, 2)).ToArray();
        bool alongRows = axis == 1;
        var g = RandomArrays.Normal(random, alongRows ? rows : cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tg = Tensor.FromArray(device, g, g.Length);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.Max(tx, axis);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        var expected = ReferenceOps.ReduceAxisBackward(ReductionKind.Max, x.ToDouble(), rows, cols, alongRows, g.ToDouble());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected.Count(v => v != 0), Is.GreaterThan(y.Length), "ties are common");
            Close.Assert(y.ToArray(), ReferenceOps.ReduceAxis(ReductionKind.Max, x.ToDouble(), rows, cols, alongRows), 0, 0, "Max y");
            // g/t rounds once; t is a small integer, exact in float32.
            Close.Assert(dx.ToArray(), expected, 0, Tolerance.OneRounding, "Max dx");
        }
    }

    [TestCase(new int[0])]
    [TestCase(new[] { 1 })]
    [TestCase(new[] { 7, 13 })]
    [TestCase(new[] { 64, 784 })]
    public void MaxOfAll_ForwardAndBackward_SplitsTies(int[] shape)
    {
        var device = Device;
        int n = shape.Aggregate(1, (p, d) => p * d);
        var random = new Random(153);
        // Integers in −20..2: the largest value repeats a few times in a large tensor.
        var x = Enumerable.Range(0, n).Select(_ => (float)random.Next(-20, 3)).ToArray();
        float w = 1.5f;
        using var tx = Tensor.FromArray(device, x, shape);
        using var tw = Tensor.FromArray(device, [w], 1);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.Max(tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tw), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.Empty);
            Assert.That(y.Item(), Is.EqualTo(x.Max()));
            Close.Assert(dx.ToArray(), ReferenceOps.ReduceAxisBackward(ReductionKind.Max, x.ToDouble(), 1, n, alongRows: true, [w]), 0, Tolerance.OneRounding, "Max dx");
        }
    }

    [Test]
    public void Max_NaNPropagates_AndMakesItsGradientNaN_AsTensorFlow()
    {
        float nan = float.NaN, ninf = float.NegativeInfinity;
        // (3, 4): a NaN in row 0 (column 2), row 1 all −∞ (four ties at −∞), row 2 ordinary.
        float[] x = [1, 2, nan, 0, ninf, ninf, ninf, ninf, 5, -1, 5, 3];
        using var tx = Tensor.FromArray(Device, x, 3, 4);
        using var tg = Tensor.FromArray(Device, [4, 8, 2], 3);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var rowsMax = Ops.Max(tx, 1);
        var columnsMax = Ops.Max(tx, 0);
        var all = Ops.Max(tx);
        var dx = tape.Gradient(Upstream.Weighted(rowsMax, tg), tx)[0]!.ToArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rowsMax.ToArray(), Is.EqualTo(new[] { nan, ninf, 5 }));
            Assert.That(columnsMax.ToArray(), Is.EqualTo(new[] { 5, 2, nan, 3 }));
            Assert.That(all.Item(), Is.NaN);
            // Row 0's maximum equals no element: a 0/0 share, NaN everywhere in the row; row 1 splits 8 four ways.
            Assert.That(dx[..4], Has.All.NaN);
            Assert.That(dx[4..], Is.EqualTo(new float[] { 2, 2, 2, 2, 1, 0, 1, 0 }));
        }
    }

    [Test]
    public void ArgMaxAndAccuracy_NaNWins_FirstIndexOnTies_ANaNRowIsNeverCorrect()
    {
        float nan = float.NaN;
        float[] x = [1, nan, float.PositiveInfinity, nan, 2, nan, -0f, 0f, -1, 3, 3, 1];   // (4, 3)
        using var tx = Tensor.FromArray(Device, x, 4, 3);
        using var tl = Labels.FromArray(Device, [1, 2, 0, 1], 3);

        using (Assert.EnterMultipleScope())
        {
            // NaN above +∞; the first of two NaNs; −0 ties +0; the first of two 3s.
            Assert.That(Ops.ArgMax(tx), Is.EqualTo(new[] { 1, 0, 0, 0 }).And.EqualTo(ReferenceOps.ArgMax(x.ToDouble(), 4, 3)));
            // Row 0's argmax is its NaN, which predicts nothing: only row 2 is right.
            Assert.That(Ops.Accuracy(tx, tl), Is.EqualTo(0.25), "a row holding NaN is never correct");
        }
    }

    internal static Tensor Apply(ReductionKind kind, Tensor x, int axis, bool keepDims) => kind switch
    {
        ReductionKind.Sum => Ops.Sum(x, axis, keepDims),
        ReductionKind.Mean => Ops.Mean(x, axis, keepDims),
        _ => Ops.Max(x, axis, keepDims),
    };

    /// <summary>The tensor as a (rows, cols) matrix and whether the axis reduces along its rows (a vector is one row).</summary>
    private static (int Rows, int Cols, bool AlongRows) Layout(int[] shape, int axis) =>
        shape.Length == 1 ? (1, shape[0], true) : (shape[0], shape[1], axis != 0);

    /// <summary>tf.reduce_*'s result shape: the axis dropped, or kept with extent 1.</summary>
    private static int[] ResultShape(int[] shape, int axis, bool keepDims)
    {
        int resolved = axis < 0 ? axis + shape.Length : axis;
        return keepDims ? [.. shape.Select((d, i) => i == resolved ? 1 : d)] : [.. shape.Where((_, i) => i != resolved)];
    }
}
