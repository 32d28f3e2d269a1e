using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The broadcasting Add, Subtract, Multiply, Divide, Maximum and Minimum, forward and backward through a tape,
/// against the float64 reference, for every broadcast combination at awkward sizes.
/// </summary>
/// <remarks>
/// <para>Forward: one correctly rounded operation per element (rtol = <see cref="Tolerance.OneRounding"/>);
/// maximum and minimum select an operand and are exact.</para>
/// <para>Backward: each gradient element sums k = <see cref="ReferenceOps.BroadcastTerms"/> local terms
/// g·∂f/∂operand, each computed with c roundings (0 for ±g and for the selections of maximum and minimum, 1 for
/// g·b, 2 for g·(1/b), 3 for g·(−y/b) with y = fl(a/b)). Every term then passes through at most k − 1 + c
/// roundings, so the error is at most γ(k − 1 + c)·Σ|terms| (<see cref="Tolerance.Accumulation"/>; Higham's dot
/// product bound, generalised to terms that arrive with c roundings already). With k = 1 and c = 0 that is 0:
/// a dense gradient of add, subtract, maximum or minimum is exact.</para>
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class BroadcastTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    /// <summary>Every broadcast combination, with rows and columns of the matrix operand given by the case.</summary>
    private static readonly (string Name, Func<int, int, (int[] A, int[] B)> Shapes)[] Combinations =
    [
        ("scalar∘matrix", (r, c) => ([], [r, c])),
        ("matrix∘scalar", (r, c) => ([r, c], [])),
        ("row∘matrix", (r, c) => ([c], [r, c])),
        ("matrix∘row", (r, c) => ([r, c], [c])),
        ("(1,c)∘matrix", (r, c) => ([1, c], [r, c])),
        ("column∘matrix", (r, c) => ([r, 1], [r, c])),
        ("matrix∘column", (r, c) => ([r, c], [r, 1])),
        ("(1,1)∘matrix", (r, c) => ([1, 1], [r, c])),
        ("row∘column", (r, c) => ([1, c], [r, 1])),
        ("column∘row", (r, c) => ([r, 1], [c])),
        ("vector∘scalar", (r, c) => ([c], [])),
        ("vector∘vector", (r, c) => ([c], [c])),
        ("matrix∘matrix", (r, c) => ([r, c], [r, c])),
        ("scalar∘scalar", (r, c) => ([], [])),
    ];

    /// <summary>
    /// Every combination at 7×13 (primes: no extent divides another), the degenerate 1×1 and scalar∘scalar, and
    /// the combinations whose backward sums over many rows or columns at 33×65 (past a 32-wide tile in both) and 64×784.
    /// </summary>
    public static IEnumerable<TestCaseData> Cases()
    {
        var sizes = new (int Rows, int Cols, string[] Names)[]
        {
            (7, 13, [.. Combinations.Select(c => c.Name).Where(n => n != "scalar∘scalar")]),
            (1, 1, ["scalar∘scalar", "scalar∘matrix", "row∘column", "matrix∘matrix"]),
            (33, 65, ["scalar∘matrix", "row∘matrix", "matrix∘column", "row∘column"]),
            (64, 784, ["row∘matrix", "matrix∘matrix"]),
        };
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            foreach (var (rows, cols, names) in sizes)
            {
                foreach (var name in names)
                {
                    var (a, b) = Combinations.Single(c => c.Name == name).Shapes(rows, cols);
                    yield return new TestCaseData(op, a, b).SetArgDisplayNames(op.ToString(), $"{name} {rows}x{cols}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackward_MatchReference(BinaryOp op, int[] aShape, int[] bShape)
    {
        var device = Device;
        var random = new Random(91 + (int)op);
        var (a, b) = Operands(op, aShape, bShape, random);
        var shape = ReferenceOps.BroadcastShape(aShape, bShape);
        var g = RandomArrays.Normal(random, shape.Aggregate(1, (p, d) => p * d));
        using var ta = Tensor.FromArray(device, a, aShape);
        using var tb = Tensor.FromArray(device, b, bShape);
        using var tg = Tensor.FromArray(device, g, shape);
        using var tape = new GradientTape();
        tape.Watch(ta);
        tape.Watch(tb);

        var y = Apply(op, ta, tb);
        var grads = tape.Gradient(Upstream.Weighted(y, tg), ta, tb);

        var (ad, bd, gd) = (a.ToDouble(), b.ToDouble(), g.ToDouble());
        var (da, db) = ReferenceOps.BroadcastBackward(op, ad, aShape, bd, bShape, gd);
        var (scaleA, scaleB) = ReferenceOps.BroadcastBackwardScale(op, ad, aShape, bd, bShape, gd);
        var (roundingsA, roundingsB) = Roundings(op);
        int termsA = ReferenceOps.BroadcastTerms(aShape, bShape), termsB = ReferenceOps.BroadcastTerms(bShape, aShape);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.Shape, Is.EqualTo(shape), $"{op} shape");
            Close.Assert(y.ToArray(), ReferenceOps.Broadcast(op, ad, aShape, bd, bShape), 0, IsSelection(op) ? 0 : Tolerance.OneRounding, $"{op} y");
            Assert.That(grads[0]!.Shape, Is.EqualTo(aShape), $"{op} da shape");
            Assert.That(grads[1]!.Shape, Is.EqualTo(bShape), $"{op} db shape");
            Close.Assert(grads[0]!.ToArray(), da, Bounds(scaleA, termsA - 1 + roundingsA), $"{op} da");
            Close.Assert(grads[1]!.ToArray(), db, Bounds(scaleB, termsB - 1 + roundingsB), $"{op} db");
        }
    }

    /// <summary>The op as the public API spells it.</summary>
    internal static Tensor Apply(BinaryOp op, Tensor a, Tensor b) => op switch
    {
        BinaryOp.Add => Ops.Add(a, b),
        BinaryOp.Subtract => Ops.Subtract(a, b),
        BinaryOp.Multiply => Ops.Multiply(a, b),
        BinaryOp.Divide => Ops.Divide(a, b),
        BinaryOp.Maximum => Ops.Maximum(a, b),
        BinaryOp.Minimum => Ops.Minimum(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>Float32 operands from <see cref="BroadcastPairs.Operands"/>: integers and halves are exact in float32.</summary>
    internal static (float[] A, float[] B) Operands(BinaryOp op, int[] aShape, int[] bShape, Random random)
    {
        var (a, b) = BroadcastPairs.Operands(op, aShape, bShape, random);
        return ([.. a.Select(v => (float)v)], [.. b.Select(v => (float)v)]);
    }

    /// <summary>Per-element bounds γ(m)·Σ|terms|, m the most roundings a term passes through.</summary>
    internal static double[] Bounds(double[] scale, int roundings) =>
        [.. scale.Select(s => Tolerance.Accumulation(roundings) * s)];

    /// <summary>Roundings c in each local term g·∂f/∂a and g·∂f/∂b, as the kernels compute them.</summary>
    internal static (int A, int B) Roundings(BinaryOp op) => op switch
    {
        BinaryOp.Multiply => (1, 1),
        BinaryOp.Divide => (2, 3),
        _ => (0, 0),
    };

    private static bool IsSelection(BinaryOp op) => op is BinaryOp.Maximum or BinaryOp.Minimum;
}
