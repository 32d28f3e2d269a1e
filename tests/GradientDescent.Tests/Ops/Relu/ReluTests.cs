using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>Relu, AddBias and the fused AddBiasRelu, forward and backward, against the float64 reference.</summary>
/// <remarks>
/// Inputs lie at least 0.1 from the kink except for entries placed exactly on it (x = 0, or x = −b so that
/// x + b is exactly 0 in float32 and float64 alike), where the subgradient 0 must be taken.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class BiasReluTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    public static IEnumerable<TestCaseData> Shapes() =>
        new (int Rows, int Cols)[] { (1, 1), (7, 13), (13, 7), (17, 33), (31, 16), (64, 100), (64, 784) }
            .Select(s => new TestCaseData(s.Rows, s.Cols).SetArgDisplayNames($"{s.Rows}x{s.Cols}"));

    [TestCaseSource(nameof(Shapes))]
    public void Relu_ForwardAndBackward_MatchReference(int rows, int cols)
    {
        var device = Device;
        var random = new Random(21);
        var x = OnTheKinkEvery(5, RandomArrays.AwayFromZero(random, rows * cols), _ => 0f);
        var g = RandomArrays.Normal(random, rows * cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tg = Tensor.FromArray(device, g, rows, cols);
        using var tape = new GradientTape();
        tape.Watch(tx);

        var y = Ops.Relu(tx);
        var dx = tape.Gradient(Upstream.Weighted(y, tg), tx)[0]!;

        using (Assert.EnterMultipleScope())
        {
            // max(x, 0) and the masked copy of g involve no arithmetic: exact.
            Close.Assert(y.ToArray(), ReferenceOps.Relu(x.ToDouble()), 0, 0, "Relu y");
            Close.Assert(dx.ToArray(), ReferenceOps.ReluBackward(x.ToDouble(), g.ToDouble()), 0, 0, "Relu dx");
        }
    }

    [TestCaseSource(nameof(Shapes))]
    public void AddBias_ForwardAndBackward_MatchReference(int rows, int cols) => AssertBias(rows, cols, relu: false);

    [TestCaseSource(nameof(Shapes))]
    public void AddBiasRelu_ForwardAndBackward_MatchReference(int rows, int cols) => AssertBias(rows, cols, relu: true);

    private void AssertBias(int rows, int cols, bool relu)
    {
        var device = Device;
        var random = new Random(relu ? 22 : 23);
        var b = RandomArrays.Normal(random, cols);
        // x = z − b with |z| ≥ 0.1 keeps x + b off the kink; every 7th entry is x = −b, exactly on it.
        var z = RandomArrays.AwayFromZero(random, rows * cols);
        var x = OnTheKinkEvery(7, [.. z.Select((v, i) => v - b[i % cols])], i => -b[i % cols]);
        var g = RandomArrays.Normal(random, rows * cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var tb = Tensor.FromArray(device, b, cols);
        using var tg = Tensor.FromArray(device, g, rows, cols);
        using var tape = new GradientTape();
        tape.Watch(tx);
        tape.Watch(tb);

        var y = relu ? Ops.AddBiasRelu(tx, tb) : Ops.AddBias(tx, tb);
        var grads = tape.Gradient(Upstream.Weighted(y, tg), tx, tb);

        var (xd, bd, gd) = (x.ToDouble(), b.ToDouble(), g.ToDouble());
        var expected = relu ? ReferenceOps.AddBiasRelu(xd, bd, rows, cols) : ReferenceOps.AddBias(xd, bd, rows, cols);
        var (dx, db) = relu ? ReferenceOps.AddBiasReluBackward(xd, bd, gd, rows, cols) : ReferenceOps.AddBiasBackward(gd, rows, cols);
        string op = relu ? "AddBiasRelu" : "AddBias";
        using (Assert.EnterMultipleScope())
        {
            // One float32 addition per element (the ReLU is exact).
            Close.Assert(y.ToArray(), expected, 0, Tolerance.OneRounding, $"{op} y");
            // dx is g, masked for the ReLU: a copy, exact.
            Close.Assert(grads[0]!.ToArray(), dx, 0, 0, $"{op} dx");
            // db sums a column of `rows` upstream values: γ(rows)·max column Σ|g|.
            var scale = ReferenceOps.ColumnSum(ReferenceOps.Abs(gd), rows, cols).Max();
            Close.Assert(grads[1]!.ToArray(), db, Tolerance.Accumulation(rows) * scale, 0, $"{op} db");
        }
    }

    /// <summary>Replaces every <paramref name="period"/>-th value (from index 0) with <paramref name="onKink"/>(i).</summary>
    private static float[] OnTheKinkEvery(int period, float[] x, Func<int, float> onKink)
    {
        for (int i = 0; i < x.Length; i += period)
        {
            x[i] = onKink(i);
        }

        return x;
    }
}
