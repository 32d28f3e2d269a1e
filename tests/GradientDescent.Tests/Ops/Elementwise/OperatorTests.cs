using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The C# operators on tensors: each gives, bit for bit, what the Ops method it names gives, forward and
/// backward, and is recorded by a tape as one operation.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class OperatorTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private const float S = 1.7f;

    /// <summary>Each operator beside the Ops call it stands for, on a (5, 7) matrix a and a row b (7,).</summary>
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Operator, Func<Tensor, Tensor, Tensor> Op)[] Pairs =
    [
        ("a + b", (a, b) => a + b, Ops.Add),
        ("a - b", (a, b) => a - b, Ops.Subtract),
        ("a * b", (a, b) => a * b, Ops.Multiply),
        ("a / b", (a, b) => a / b, Ops.Divide),
        ("b + a", (a, b) => b + a, (a, b) => Ops.Add(b, a)),
        ("b / a", (a, b) => b / a, (a, b) => Ops.Divide(b, a)),
        ("a + s", (a, _) => a + S, (a, _) => Ops.Add(a, S)),
        ("s + a", (a, _) => S + a, (a, _) => Ops.Add(a, S)),
        ("a - s", (a, _) => a - S, (a, _) => Ops.Subtract(a, S)),
        ("s - a", (a, _) => S - a, (a, _) => Ops.Subtract(S, a)),
        ("a * s", (a, _) => a * S, (a, _) => Ops.Multiply(a, S)),
        ("s * a", (a, _) => S * a, (a, _) => Ops.Multiply(a, S)),
        ("a / s", (a, _) => a / S, (a, _) => Ops.Divide(a, S)),
        ("s / a", (a, _) => S / a, (a, _) => Ops.Divide(S, a)),
        ("-a", (a, _) => -a, (a, _) => Ops.Negate(a)),
    ];

    public static IEnumerable<TestCaseData> Cases() =>
        Enumerable.Range(0, Pairs.Length).Select(i => new TestCaseData(i).SetArgDisplayNames(Pairs[i].Name));

    [TestCaseSource(nameof(Cases))]
    public void Operator_EqualsItsOp_BitForBit_AndIsRecorded(int pair)
    {
        var (name, @operator, op) = Pairs[pair];
        var random = new Random(131);
        var a = RandomArrays.AwayFromZero(random, 35, 0.2, 3);
        var b = RandomArrays.AwayFromZero(random, 7, 0.2, 3);
        var g = RandomArrays.Normal(random, 35);

        var (viaOperator, recorded) = Run(@operator, a, b, g);
        var (viaOp, _) = Run(op, a, b, g);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(recorded, Is.EqualTo(1), $"{name}: one recorded operation");
            for (int i = 0; i < viaOp.Length; i++)
            {
                Assert.That(Bits(viaOperator[i]), Is.EqualTo(Bits(viaOp[i])), $"{name}: {(i == 0 ? "y" : i == 1 ? "da" : "db")}");
            }
        }
    }

    [Test]
    public void Operators_Compose_LikeTheTutorialsUpdate()
    {
        // w − lr·dw written with operators outside any tape: each result is the caller's to dispose.
        using var w = Tensor.FromArray(Device, [1, 2, 3], 3);
        using var dw = Tensor.FromArray(Device, [0.5f, -1, 2], 3);

        using var step = 0.1f * dw;
        using var updated = w - step;

        Assert.That(updated.ToArray(), Is.EqualTo(new[] { 1 - (0.1f * 0.5f), 2 - (0.1f * -1), 3 - (0.1f * 2) }));
    }

    /// <summary>y, da and db (db absent when the op ignores b) as host arrays, and how many operations the call recorded.</summary>
    private (float[][] Results, int Recorded) Run(Func<Tensor, Tensor, Tensor> f, float[] a, float[] b, float[] g)
    {
        using var ta = Tensor.FromArray(Device, a, 5, 7);
        using var tb = Tensor.FromArray(Device, b, 7);
        using var tg = Tensor.FromArray(Device, g, 5, 7);
        using var tape = new GradientTape();
        tape.Watch(ta);
        tape.Watch(tb);

        int before = tape.RecordedOperations;
        var y = f(ta, tb);
        int recorded = tape.RecordedOperations - before;
        var grads = tape.Gradient(Upstream.Weighted(y, tg), ta, tb);
        return ([y.ToArray(), grads[0]!.ToArray(), .. grads[1] is { } db ? new[] { db.ToArray() } : []], recorded);
    }

    private static int[] Bits(float[] x) => [.. x.Select(BitConverter.SingleToInt32Bits)];
}
