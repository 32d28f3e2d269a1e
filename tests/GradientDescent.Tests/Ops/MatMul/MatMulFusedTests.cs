using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The fused launchers of the training step give, bit for bit, what the product followed by its
/// elementwise kernel gives: on the host path the GEMM applies the bias, ReLU or ReLU mask to each
/// block of C as it finishes it, and must not change a single rounding.
/// </summary>
/// <remarks>
/// Shapes cover each way the host GEMM runs: the small-product loop (3×5·5×4), one thread (20×30·30×10),
/// two depth blocks on two cores (64×784·784×100), row ranges per core with the whole depth (200×300·300×101),
/// packed op(A) for a C wider than 256 (70×40·40×300), and the same with two row blocks and two depth blocks, the
/// epilogue running only after the second (130×400·400×300). Inputs have both signs, so ReLU and the mask cut.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class MatMulFusedTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    private static readonly (int M, int K, int N)[] s_shapes = [(3, 5, 4), (20, 30, 10), (64, 784, 100), (200, 300, 101), (70, 40, 300), (130, 400, 300)];

    public static IEnumerable<TestCaseData> DenseCases() =>
        from s in s_shapes
        from bias in new[] { false, true }
        from relu in new[] { false, true }
        select new TestCaseData(s.M, s.K, s.N, bias, relu);

    public static IEnumerable<TestCaseData> MaskCases() =>
        from s in s_shapes
        from tb in new[] { false, true }
        select new TestCaseData(s.M, s.K, s.N, tb);

    [TestCaseSource(nameof(DenseCases))]
    public void ForwardDense_GivesTheBitsOfTheProductThenTheBiasKernel(int m, int k, int n, bool withBias, bool relu)
    {
        var random = new Random((m * 31) + n);
        using var a = Tensor.FromArray(Device, RandomArrays.Normal(random, m * k), m, k);
        using var b = Tensor.FromArray(Device, RandomArrays.Normal(random, k * n), k, n);
        using var bias = withBias ? Tensor.FromArray(Device, RandomArrays.Normal(random, n), n) : null;
        using var fused = Tensor.Zeros(Device, m, n);
        using var separate = Tensor.Zeros(Device, m, n);

        MatMulKernels.ForwardDense(a, b, bias, relu, fused);
        MatMulKernels.Forward(a, false, b, false, separate);
        if (bias is not null || relu)
        {
            ReluKernels.Forward(separate, bias, separate, relu);
        }

        Assert.That(Bits(fused), Is.EqualTo(Bits(separate)).AsCollection);
    }

    [TestCaseSource(nameof(MaskCases))]
    public void ForwardReluBackward_GivesTheBitsOfTheProductThenTheReluBackward(int m, int k, int n, bool transposeB)
    {
        var random = new Random((m * 37) + n);
        using var a = Tensor.FromArray(Device, RandomArrays.Normal(random, m * k), m, k);
        using var b = Tensor.FromArray(Device, RandomArrays.Normal(random, k * n), transposeB ? [n, k] : [k, n]);
        using var y = Tensor.FromArray(Device, RandomArrays.Normal(random, m * n), m, n);
        using var fused = Tensor.Zeros(Device, m, n);
        using var separate = Tensor.Zeros(Device, m, n);

        MatMulKernels.ForwardReluBackward(a, false, b, transposeB, y, fused);
        MatMulKernels.Forward(a, false, b, transposeB, separate);
        ReluKernels.Backward(separate, y, separate);

        var values = fused.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Bits(fused), Is.EqualTo(Bits(separate)).AsCollection);
            Assert.That(values.Count(v => v == 0f), Is.InRange(m * n / 4, 3 * m * n / 4), "the mask cuts about half");
        }
    }

    private static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];
}
