using NUnit.Framework;
using MatMulCase = GradientDescent.Tests.MatMulTests.MatMulCase;
using Variant = GradientDescent.MatMulKernels.Variant;

namespace GradientDescent.Tests;

/// <summary>
/// Wide products on the host path (C wider than 256 columns): op(B) packed once per phase and shared by the cores,
/// row blocks taken from both ends. Against the float64 reference, and bit for bit the same when one core runs
/// every task alone.
/// </summary>
/// <remarks>
/// Shapes, as the host GEMM blocks them (rows in blocks of 120, depth in equal blocks of at most 384, columns in
/// blocks of 1024, B packed 8 panels of 16 columns per task): 130×770×260 is three phases, so the third packs into
/// the buffer the first used, with a 10-row last block and a 4-column last panel; 7×400×1030 is two column blocks
/// of two depth blocks each, one row block for two cores, and a 6-column last block whose surplus packing tasks
/// copy nothing; 250×9×300 is one phase of three row blocks; 241×390×300 leaves a one-row last block.
/// </remarks>
[TestFixture]
public sealed class HostGemmSharedTests
{
    private static readonly (int M, int K, int N)[] s_shapes = [(130, 770, 260), (7, 400, 1030), (250, 9, 300), (241, 390, 300)];

    private ComputeDevice _host = null!;

    public static IEnumerable<MatMulCase> Cases() =>
        from s in s_shapes
        from ta in new[] { false, true }
        from tb in new[] { false, true }
        select new MatMulCase(s.M, s.K, s.N, ta, tb);

    [OneTimeSetUp]
    public void CreateDevice() =>
        _host = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Host });

    [OneTimeTearDown]
    public void DisposeDevice() => _host.Dispose();

    [TestCaseSource(nameof(Cases))]
    public void WideProduct_MatchesReference(MatMulCase c)
    {
        var (a, b) = c.Operands(seed: 5);
        var actual = Product(c, a, b, alone: false);

        var expected = ReferenceOps.MatMul(a.ToDouble(), c.TransposeA, b.ToDouble(), c.TransposeB, c.M, c.K, c.N);
        var scale = ReferenceOps.MatMul(
            ReferenceOps.Abs(a.ToDouble()), c.TransposeA, ReferenceOps.Abs(b.ToDouble()), c.TransposeB, c.M, c.K, c.N);
        Close.Assert(actual, expected, Tolerance.Accumulation(c.K) * scale.Max(), 0, c.ToString());
    }

    [TestCaseSource(nameof(Cases))]
    public void OneCoreAlone_GivesTheSameBits(MatMulCase c)
    {
        Assume.That(Environment.ProcessorCount, Is.GreaterThanOrEqualTo(2), "on one core every product already runs alone");
        var (a, b) = c.Operands(seed: 6);

        var split = Product(c, a, b, alone: false);
        var alone = Product(c, a, b, alone: true);

        Assert.That(Bits(alone), Is.EqualTo(Bits(split)).AsCollection, c.ToString());
    }

    /// <summary>
    /// op(a)·op(b) on the host device; <paramref name="alone"/> runs it on a host worker while the caller holds the
    /// workers, so the product finds them busy and runs every task on that one thread.
    /// </summary>
    private float[] Product(MatMulCase c, float[] a, float[] b, bool alone)
    {
        using var ta = Tensor.FromArray(_host, a, c.ShapeA);
        using var tb = Tensor.FromArray(_host, b, c.ShapeB);
        using var product = Tensor.FromArray(_host, Enumerable.Repeat(float.NaN, c.M * c.N).ToArray(), c.M, c.N);
        if (alone)
        {
            int ran = 0;
            HostParallel.For(2, 1 << 20, (first, last) =>
            {
                if (first <= 1 && last > 1)
                {
                    MatMulKernels.Forward(ta, c.TransposeA, tb, c.TransposeB, product, Variant.Auto);
                    ran++;
                }
            });
            Assert.That(ran, Is.EqualTo(1), "the product ran on the worker");
        }
        else
        {
            MatMulKernels.Forward(ta, c.TransposeA, tb, c.TransposeB, product, Variant.Auto);
        }

        return product.ToArray();
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
