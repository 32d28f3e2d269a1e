using NUnit.Framework;
using MatMulCase = GradientDescent.Tests.MatMulTests.MatMulCase;
using Variant = GradientDescent.MatMulKernels.Variant;

namespace GradientDescent.Tests;

/// <summary>
/// The register-blocked GPU matmul (<see cref="GpuGemm"/>: 64×64 blocks, 8-deep slabs, 128-bit loads where aligned)
/// against the float64 reference, on <see cref="TestDevices.GpuKernels"/>: the emulator with 256-thread groups when
/// no GPU is under test, else the GPU.
/// </summary>
/// <remarks>
/// Shapes cross the block edge in m and n (65, 68, 130; 67, 72, 128) and the slab depth in k (1, 4, 9, 12, 20, 100:
/// a lone partial slab, whole slabs, whole slabs plus a tail), in all four transpose variants, through the vector
/// kernels and the scalar one. C is a view inside a NaN-filled buffer: an element the kernel never writes stays NaN
/// and fails, and so does a write outside C. Tolerance as in <see cref="MatMulTests"/>: γ(k)·max(|op(a)|·|op(b)|).
/// </remarks>
[TestFixture]
public sealed class BlockedMatMulTests
{
    private static readonly (int M, int K, int N)[] s_shapes =
        [(1, 1, 1), (7, 13, 5), (65, 12, 68), (68, 20, 72), (36, 4, 128), (130, 9, 67), (3, 100, 2), (64, 64, 64)];

    public static IEnumerable<MatMulCase> Cases() =>
        from s in s_shapes
        from ta in new[] { false, true }
        from tb in new[] { false, true }
        select new MatMulCase(s.M, s.K, s.N, ta, tb);

    [TestCaseSource(nameof(Cases))]
    public void Blocked_MatchesReference(MatMulCase c) =>
        AssertBlocked(TestDevices.GpuKernels, c, offsetA: 0, offsetB: 0, offsetC: 4);

    /// <summary>Views starting off a 16-byte boundary take the scalar kernel and must give the same products.</summary>
    [TestCase(68, 20, 72, false, false, 1, 0, 4)]
    [TestCase(68, 20, 72, true, false, 0, 2, 4)]
    [TestCase(68, 20, 72, false, true, 0, 0, 1)]
    [TestCase(36, 4, 128, true, true, 3, 3, 3)]
    public void Blocked_MisalignedViews_MatchReference(int m, int k, int n, bool ta, bool tb, int offsetA, int offsetB, int offsetC) =>
        AssertBlocked(TestDevices.GpuKernels, new MatMulCase(m, k, n, ta, tb), offsetA, offsetB, offsetC);

    [TestCase(68, 20, 72, false, false, 0, nameof(GpuGemm.VectorNNKernel))]
    [TestCase(68, 20, 72, true, false, 0, nameof(GpuGemm.VectorTNKernel))]
    [TestCase(68, 20, 72, false, true, 0, nameof(GpuGemm.VectorNTKernel))]
    [TestCase(68, 20, 72, true, true, 0, nameof(GpuGemm.VectorTTKernel))]
    [TestCase(68, 20, 72, false, false, 1, nameof(GpuGemm.ScalarKernel))]
    [TestCase(65, 12, 68, true, false, 0, nameof(GpuGemm.ScalarKernel))]
    [TestCase(65, 12, 68, false, true, 0, nameof(GpuGemm.VectorNTKernel))]
    [TestCase(3, 100, 2, false, false, 0, nameof(GpuGemm.ScalarKernel))]
    [TestCase(3, 100, 2, false, true, 0, nameof(GpuGemm.VectorNTKernel))]
    public void Choose_TakesVectorLoadsExactlyWhereAligned(int m, int k, int n, bool ta, bool tb, int offsetA, string expected)
    {
        var c = new MatMulCase(m, k, n, ta, tb);
        var device = TestDevices.Shared;
        using var backing = Tensor.Zeros(device, c.M * c.K + offsetA);
        using var a = Tensor.ViewOf(backing, offsetA, c.ShapeA);
        using var b = Tensor.Zeros(device, c.ShapeB);

        var kernel = GpuGemm.Choose(a, ta, b, tb, m, n, k);

        Assert.That(kernel.Method.Name, Is.EqualTo(expected), c.ToString());
    }

    [Test]
    public void Blocked_OnGroupsSmallerThanTheBlock_ThrowsNamingTheGroupSize()
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Emulated, CpuGroupSize = 16 });
        using var a = Tensor.Zeros(device, 4, 4);
        using var b = Tensor.Zeros(device, 4, 4);
        using var c = Tensor.Zeros(device, 4, 4);

        Assert.That(() => MatMulKernels.Forward(a, false, b, false, c, Variant.Blocked),
            Throws.InvalidOperationException.With.Message.Contains("64 threads").And.Message.Contains("16"));
    }

    /// <summary>A product too large for the emulator, in every variant and misaligned: only where a GPU is under test.</summary>
    [Test]
    [Category("Gpu")]
    public void LargeProducts_OnTheGpu_MatchReference([Values(false, true)] bool ta, [Values(false, true)] bool tb)
    {
        TestDevices.RequireGpu();
        AssertBlocked(TestDevices.Shared, new MatMulCase(640, 520, 388, ta, tb), 0, 0, 0);
        AssertBlocked(TestDevices.Shared, new MatMulCase(333, 257, 131, ta, tb), 1, 2, 3);
    }

    private static void AssertBlocked(ComputeDevice device, MatMulCase c, int offsetA, int offsetB, int offsetC)
    {
        long allocated = device.AllocatedBytes;
        var (a, b) = c.Operands(seed: 5);
        const int Margin = 5;
        using (var backingA = Tensor.FromArray(device, [.. new float[offsetA], .. a], offsetA + a.Length))
        using (var backingB = Tensor.FromArray(device, [.. new float[offsetB], .. b], offsetB + b.Length))
        using (var backingC = Tensor.FromArray(device, Enumerable.Repeat(float.NaN, offsetC + (c.M * c.N) + Margin).ToArray(), offsetC + (c.M * c.N) + Margin))
        using (var ta = Tensor.ViewOf(backingA, offsetA, c.ShapeA))
        using (var tb = Tensor.ViewOf(backingB, offsetB, c.ShapeB))
        using (var tc = Tensor.ViewOf(backingC, offsetC, [c.M, c.N]))
        {
            MatMulKernels.Forward(ta, c.TransposeA, tb, c.TransposeB, tc, Variant.Blocked);

            var all = backingC.ToArray();
            var expected = ReferenceOps.MatMul(a.ToDouble(), c.TransposeA, b.ToDouble(), c.TransposeB, c.M, c.K, c.N);
            var scale = ReferenceOps.MatMul(
                ReferenceOps.Abs(a.ToDouble()), c.TransposeA, ReferenceOps.Abs(b.ToDouble()), c.TransposeB, c.M, c.K, c.N);
            using (Assert.EnterMultipleScope())
            {
                Close.Assert(all.AsSpan(offsetC, c.M * c.N), expected, Tolerance.Accumulation(c.K) * scale.Max(), 0, $"Blocked {c}");
                Assert.That(all.Take(offsetC).Concat(all.Skip(offsetC + (c.M * c.N))), Is.All.NaN, $"Blocked {c}: written outside C");
            }
        }

        Assert.That(device.AllocatedBytes, Is.EqualTo(allocated), "bytes left allocated");
    }
}
