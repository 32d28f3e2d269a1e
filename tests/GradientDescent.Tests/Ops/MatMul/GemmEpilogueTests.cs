using NUnit.Framework;
using MatMulCase = GradientDescent.Tests.MatMulTests.MatMulCase;
using Variant = GradientDescent.MatMulKernels.Variant;

namespace GradientDescent.Tests;

/// <summary>
/// The products the fused training step uses: C = max(op(A)·op(B) + bias, 0) with the bias and ReLU in the GEMM's
/// epilogue, C's rows further apart than its width (the padded hidden activations), and the depth split over groups
/// (split-k, the last group to finish adding the partial blocks in order), against the float64 reference, on
/// <see cref="TestDevices.GpuKernels"/> (the emulator with 256-thread groups when no GPU is under test).
/// </summary>
/// <remarks>
/// C lies in a NaN-filled buffer: an element never written stays NaN and fails, and so does a write into the padding
/// between rows or outside C. Shapes cross the block edge in m and n and leave partial slabs in every split (k of 130,
/// 300 and 1000 split into 2, 4 and 14 ranges; k = 256 into 4 whole ones of whole slabs plus a short last one). Tolerance as in
/// <see cref="MatMulTests"/>, γ(k)·max(|op(a)|·|op(b)|), with one more term per split and for the bias add.
/// </remarks>
[TestFixture]
public sealed class GemmEpilogueTests
{
    /// <summary>Groups the split plan aims at here: far more than the blocks of these shapes, so every k ≥ 128 splits.</summary>
    private const int TargetGroups = 64;

    private static readonly (int M, int K, int N)[] s_shapes =
        [(1, 1, 1), (7, 13, 5), (65, 130, 68), (130, 300, 67), (3, 1000, 2), (64, 256, 64)];

    public static IEnumerable<MatMulCase> Cases() =>
        from s in s_shapes
        from ta in new[] { false, true }
        from tb in new[] { false, true }
        select new MatMulCase(s.M, s.K, s.N, ta, tb);

    [TestCaseSource(nameof(Cases))]
    public void Blocked_BiasReluPaddedRowsAndSplitK_MatchReference(MatMulCase c)
    {
        var device = TestDevices.GpuKernels;
        AssertProduct(device, c, Variant.Blocked, bias: true, relu: true, split: true);
        AssertProduct(device, c, Variant.Blocked, bias: false, relu: false, split: true);
        AssertProduct(device, c, Variant.Blocked, bias: true, relu: false, split: false);
    }

    [TestCase(7, 13, 5)]
    [TestCase(65, 130, 68)]
    [TestCase(3, 30, 1)]
    public void RowStreaming_BiasReluAndPaddedRows_MatchReference(int m, int k, int n)
    {
        var device = TestDevices.GpuKernels;
        AssertProduct(device, new MatMulCase(m, k, n, false, false), Variant.RowStreaming, bias: true, relu: true, split: false);
        AssertProduct(device, new MatMulCase(m, k, n, true, false), Variant.RowStreaming, bias: false, relu: true, split: false);
    }

    [Test]
    public void SplitK_RepeatsBitForBit_AndLeavesTheCountersAtZero()
    {
        var device = TestDevices.GpuKernels;
        var c = new MatMulCase(130, 300, 67, true, false);
        var first = AssertProduct(device, c, Variant.Blocked, bias: true, relu: true, split: true);
        var second = AssertProduct(device, c, Variant.Blocked, bias: true, relu: true, split: true);

        Assert.That(second.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(first.Select(BitConverter.SingleToInt32Bits)));
    }

    [TestCase(4, 784, 132, 11, 72)]
    [TestCase(2, 784, 132, 11, 72)]
    [TestCase(26, 128, 132, 2, 64)]
    [TestCase(26, 8000, 132, 6, 1336)]
    [TestCase(250, 784, 132, 1, 784)]
    [TestCase(4, 127, 132, 1, 127)]
    [TestCase(1, 130, 64, 2, 72)]
    [TestCase(1, 100000, 132, 16, 6256)]
    public void Plan_FillsTheDeviceWithWholeSlabsPerSplit(int blocks, int k, int target, int splits, int depth)
    {
        var plan = GemmSplitK.Plan(blocks, k, target);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan, Is.EqualTo((splits, depth)));
            Assert.That(plan.Depth % GpuGemm.Depth == 0 || plan.Splits == 1, Is.True, "whole slabs per split");
            Assert.That((plan.Splits - 1) * plan.Depth, Is.LessThan(k), "no empty split");
            Assert.That(plan.Splits * plan.Depth, Is.GreaterThanOrEqualTo(k), "the splits cover k");
        }
    }

    /// <summary>Runs one product into a NaN-filled, padded C and checks it; returns C's elements, row by row.</summary>
    private static float[] AssertProduct(ComputeDevice device, MatMulCase c, Variant variant, bool bias, bool relu, bool split)
    {
        long allocated = device.AllocatedBytes;
        var (a, b) = c.Operands(seed: 17);
        var biasValues = RandomArrays.Normal(new Random(18), c.N);
        // Rows of C 1 to 4 floats wider than C, rounded to 4 as the training step pads its activations.
        int ldc = ((c.N + 1 + 3) / 4) * 4;
        const int Offset = 4;
        int cLength = ((c.M - 1) * ldc) + c.N;
        var shape = new GemmShape(c.M, c.N, c.K, c.TransposeA ? 1 : c.K, c.TransposeA ? c.M : 1, c.TransposeB ? 1 : c.N, c.TransposeB ? c.K : 1, ldc);
        float[] result;
        using (var ta = Tensor.FromArray(device, a, c.ShapeA))
        using (var tb = Tensor.FromArray(device, b, c.ShapeB))
        using (var tbias = Tensor.FromArray(device, biasValues, c.N))
        using (var backing = Tensor.FromArray(device, Enumerable.Repeat(float.NaN, Offset + (c.M * ldc)).ToArray(), Offset + (c.M * ldc)))
        using (var tc = Tensor.ViewOf(backing, Offset, [cLength]))
        using (var partials = Tensor.Zeros(device, GemmSplitK.MaxSplits * c.M * c.N))
        using (var counters = Tensor.Zeros(device, GpuGemm.Blocks(c.M, c.N)))
        {
            var splitK = split ? new GemmSplitK(partials, counters, TargetGroups) : null;
            MatMulKernels.Product(ta, c.TransposeA, tb, c.TransposeB, tc, shape, new GemmOptions(bias ? tbias : null, relu, splitK), variant);

            var all = backing.ToArray();
            var product = ReferenceOps.MatMul(a.ToDouble(), c.TransposeA, b.ToDouble(), c.TransposeB, c.M, c.K, c.N);
            var scale = ReferenceOps.MatMul(
                ReferenceOps.Abs(a.ToDouble()), c.TransposeA, ReferenceOps.Abs(b.ToDouble()), c.TransposeB, c.M, c.K, c.N);
            var expected = new double[c.M * c.N];
            result = new float[c.M * c.N];
            var outside = new List<float>(all.AsSpan(0, Offset).ToArray());
            for (int i = 0; i < c.M; i++)
            {
                for (int j = 0; j < c.N; j++)
                {
                    double v = product[(i * c.N) + j] + (bias ? biasValues[j] : 0);
                    expected[(i * c.N) + j] = relu ? Math.Max(v, 0) : v;
                    result[(i * c.N) + j] = all[Offset + (i * ldc) + j];
                }

                outside.AddRange(all.AsSpan(Offset + (i * ldc) + c.N, ldc - c.N).ToArray());
            }

            string what = $"{variant} {c} ldc {ldc}{(bias ? " bias" : string.Empty)}{(relu ? " relu" : string.Empty)}{(split ? " split" : string.Empty)}";
            double biasScale = bias ? biasValues.Max(v => Math.Abs((double)v)) : 0;
            using (Assert.EnterMultipleScope())
            {
                // ReLU is 1-Lipschitz, so the product's bound carries through it.
                // The partial blocks add one rounding per split to the k-term sum.
                Close.Assert(result, expected, Tolerance.Accumulation(c.K + GemmSplitK.MaxSplits + 1) * (scale.Max() + biasScale), 0, what);
                Assert.That(outside, Is.All.NaN, $"{what}: written outside C or into the padding");
                Assert.That(counters.ToArray(), Is.All.Zero, $"{what}: the arrival counters are back to 0");
            }
        }

        Assert.That(device.AllocatedBytes, Is.EqualTo(allocated), "bytes left allocated");
        return result;
    }
}
