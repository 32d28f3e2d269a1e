using NUnit.Framework;
using Variant = GradientDescent.MatMulKernels.Variant;

namespace GradientDescent.Tests;

/// <summary>
/// <c>op(a)·op(b)</c> and its backward against the float64 reference, for all four transpose combinations, at
/// shapes that are 1, prime, not multiples of the tile size 16, and one layer of the MNIST network.
/// </summary>
/// <remarks>
/// Tolerance: every element of a product is a k-term dot product, so |error| ≤ γ(k)·Σₚ|a||b| in any
/// summation order (<see cref="Tolerance.Accumulation"/>); the tests use atol = γ(k)·max(|op(a)|·|op(b)|)
/// and rtol = 0. A wrong index, a skipped term or an unwritten element errs by O(|a||b|), far above it.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class MatMulTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private static readonly (int M, int K, int N)[] s_shapes =
        [(1, 1, 1), (7, 13, 5), (16, 16, 16), (17, 33, 31), (31, 17, 33), (33, 1, 17), (1, 40, 1), (64, 784, 100),
         // The host GEMM's other paths: C wider than 256 (op(A) packed), and wider than its 1024-column
         // block with a depth past its 384-deep packed block (several column and depth blocks).
         (9, 37, 300), (5, 390, 1030),
         // op(A) packed eight depth steps at a time with a scalar tail of at least one: depth 16 (one vector
         // block, eight scalar steps), 9 (one and one) and 1 (scalar only); full and ragged six-row panels, and
         // one split over two cores.
         (13, 16, 260), (50, 9, 270), (7, 1, 257), (60, 48, 300),
         // Narrow C (op(A) read in place): ragged rows and columns at the full depth of the net's first
         // layer, one row, one column (a one-float masked panel), depth 3 and 1, a depth split into equal
         // blocks (B too large to pack whole), and an Aᵀ large enough to fetch its next block ahead.
         (65, 784, 101), (1, 784, 100), (64, 784, 1), (64, 3, 17), (100, 1, 100), (70, 1200, 100), (300, 1000, 20)];

    public static IEnumerable<MatMulCase> Cases() => Combine(s_shapes);

    /// <summary>
    /// The tiled kernel on the CPU emulator costs ~0.4 s a launch (256 OS threads, barriers), so: every transpose
    /// at a single-tile and a ragged multi-tile shape, plain a·b at the other small shapes. On a GPU the shared
    /// device runs the tiled kernel through <see cref="Forward_MatchesReference"/> and <see cref="Backward_MatchesReference"/>.
    /// </summary>
    public static IEnumerable<MatMulCase> SmallCases() =>
        Combine([(7, 13, 5), (17, 33, 31)]).Concat(
            s_shapes.Where(s => s.M * s.K * s.N <= 40 * 40 * 40 && s is not (7, 13, 5) and not (17, 33, 31))
                .Select(s => new MatMulCase(s.M, s.K, s.N, false, false)));

    [TestCaseSource(nameof(Cases))]
    public void Forward_MatchesReference(MatMulCase c)
    {
        var device = Device;
        var (a, b) = c.Operands(seed: 1);
        using var ta = Tensor.FromArray(device, a, c.ShapeA);
        using var tb = Tensor.FromArray(device, b, c.ShapeB);

        using var product = Ops.MatMul(ta, tb, c.TransposeA, c.TransposeB);

        Assert.That(product.Shape, Is.EqualTo(new[] { c.M, c.N }));
        AssertProduct(product.ToArray(), c, a, b, "Ops.MatMul");
    }

    /// <summary>A GPU-sized product through Ops: only where the device under test is a GPU (skipped, not passed, elsewhere).</summary>
    [Test]
    [Category("Gpu")]
    public void LargeProduct_OnTheGpu_MatchesReference()
    {
        TestDevices.RequireGpu();
        var c = new MatMulCase(640, 512, 384, false, false);
        var (a, b) = c.Operands(seed: 3);
        using var ta = Tensor.FromArray(Device, a, c.ShapeA);
        using var tb = Tensor.FromArray(Device, b, c.ShapeB);
        using var product = Ops.MatMul(ta, tb);
        AssertProduct(product.ToArray(), c, a, b, "Ops.MatMul on the GPU");
    }

    [TestCaseSource(nameof(Cases))]
    public void RowStreaming_MatchesReference(MatMulCase c) =>
        AssertVariant(Device, Variant.RowStreaming, c);

    [TestCaseSource(nameof(SmallCases))]
    public void Tiled_MatchesReference(MatMulCase c) =>
        AssertVariant(TestDevices.GpuKernels, Variant.Tiled, c);

    [TestCaseSource(nameof(Cases))]
    public void Backward_MatchesReference(MatMulCase c)
    {
        var device = Device;
        var (a, b) = c.Operands(seed: 2);
        var g = RandomArrays.Normal(new Random(3), c.M * c.N);
        using var ta = Tensor.FromArray(device, a, c.ShapeA);
        using var tb = Tensor.FromArray(device, b, c.ShapeB);
        using var tg = Tensor.FromArray(device, g, c.M, c.N);
        using var tape = new GradientTape();
        tape.Watch(ta);
        tape.Watch(tb);

        var product = Ops.MatMul(ta, tb, c.TransposeA, c.TransposeB);
        var grads = tape.Gradient(Upstream.Weighted(product, tg), ta, tb);

        var (da, db) = ReferenceOps.MatMulBackward(a.ToDouble(), c.TransposeA, b.ToDouble(), c.TransposeB, g.ToDouble(), c.M, c.K, c.N);
        var (scaleA, scaleB) = ReferenceOps.MatMulBackward(
            ReferenceOps.Abs(a.ToDouble()), c.TransposeA, ReferenceOps.Abs(b.ToDouble()), c.TransposeB, ReferenceOps.Abs(g.ToDouble()), c.M, c.K, c.N);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(grads[0]!.Shape, Is.EqualTo(c.ShapeA));
            Assert.That(grads[1]!.Shape, Is.EqualTo(c.ShapeB));
            // dA = g·op(b)ᵀ sums n terms per element, dB = op(a)ᵀ·g sums m terms.
            Close.Assert(grads[0]!.ToArray(), da, Tolerance.Accumulation(c.N) * scaleA.Max(), 0, $"{c} dA");
            Close.Assert(grads[1]!.ToArray(), db, Tolerance.Accumulation(c.M) * scaleB.Max(), 0, $"{c} dB");
        }
    }

    private static void AssertVariant(ComputeDevice device, Variant variant, MatMulCase c)
    {
        var (a, b) = c.Operands(seed: 4);
        using var ta = Tensor.FromArray(device, a, c.ShapeA);
        using var tb = Tensor.FromArray(device, b, c.ShapeB);
        // NaN everywhere first, so an element the kernel never writes cannot pass.
        using var product = Tensor.FromArray(device, Enumerable.Repeat(float.NaN, c.M * c.N).ToArray(), c.M, c.N);

        MatMulKernels.Forward(ta, c.TransposeA, tb, c.TransposeB, product, variant);

        AssertProduct(product.ToArray(), c, a, b, variant.ToString());
    }

    private static void AssertProduct(float[] actual, MatMulCase c, float[] a, float[] b, string what)
    {
        var expected = ReferenceOps.MatMul(a.ToDouble(), c.TransposeA, b.ToDouble(), c.TransposeB, c.M, c.K, c.N);
        var scale = ReferenceOps.MatMul(
            ReferenceOps.Abs(a.ToDouble()), c.TransposeA, ReferenceOps.Abs(b.ToDouble()), c.TransposeB, c.M, c.K, c.N);
        Close.Assert(actual, expected, Tolerance.Accumulation(c.K) * scale.Max(), 0, $"{what} {c}");
    }

    private static IEnumerable<MatMulCase> Combine(IEnumerable<(int M, int K, int N)> shapes) =>
        from s in shapes
        from ta in new[] { false, true }
        from tb in new[] { false, true }
        select new MatMulCase(s.M, s.K, s.N, ta, tb);

    /// <summary>op(a) is (M, K), op(b) is (K, N); a is stored (K, M) when TransposeA, b (N, K) when TransposeB.</summary>
    public sealed record MatMulCase(int M, int K, int N, bool TransposeA, bool TransposeB)
    {
        public int[] ShapeA => TransposeA ? [K, M] : [M, K];

        public int[] ShapeB => TransposeB ? [N, K] : [K, N];

        public (float[] A, float[] B) Operands(int seed)
        {
            var random = new Random(seed);
            return (RandomArrays.Normal(random, M * K), RandomArrays.Normal(random, K * N));
        }

        public override string ToString() => $"{M}x{K}x{N} {(TransposeA ? "aT" : "a")}*{(TransposeB ? "bT" : "b")}";
    }
}
