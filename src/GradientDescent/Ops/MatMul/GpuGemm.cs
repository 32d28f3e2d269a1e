using ILGPU;
using ILGPU.Runtime;
using GemmKernel = System.Action<
    ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, ILGPU.ArrayView<int>, GradientDescent.GemmShape, GradientDescent.GemmEpilogue>;

namespace GradientDescent;

/// <summary>
/// Register-blocked SGEMM for GPUs: C = op(A)·op(B), op(A) is (m, k), op(B) is (k, n), C is (m, n) row-major,
/// with A(i, p) = a[i·sAi + p·sAp] and B(p, j) = b[p·sBp + j·sBj] (a transpose is a swap of strides).
/// </summary>
/// <remarks>
/// <para>
/// A group of 64 threads computes a 64×64 block of C, each thread an 8×8 register tile: rows
/// {4ty..4ty+3, 32+4ty..32+4ty+3} and columns {4tx..4tx+3, 32+4tx..32+4tx+3} of the block (tx = t mod 8,
/// ty = t / 8), so a warp's 128-bit shared loads of one depth row touch consecutive 16-byte words (no bank
/// conflicts) and its stores of C are 256-byte runs. The operands go through shared memory in slabs 8 deep,
/// both stored depth-major ([p][i] and [p][j], A therefore transposed) so that one depth step is four
/// 128-bit shared loads and 64 FFMAs per thread. Two shared stages: the next slab is read from global memory
/// into registers while the current one is multiplied, then written to the other stage; one barrier per slab.
/// </para>
/// <para>
/// Why 8×8 per thread: a thread's depth step reads 16 floats (64 bytes) for 64 FFMAs, so an SM issuing 128 FFMAs a
/// clock needs 128 bytes of shared memory a clock, what it delivers (before broadcasts, which help); 8×4 would need
/// 192. Why 64×64 blocks of 64 threads: 64 accumulators, 16 operands and 16 prefetched floats per thread fit in 128
/// registers (ptxas 11.8: 111–115, no spills, with the launch bounds below), so 8 groups (16 warps) share an SM's
/// 64K registers, with 8.5 KB of its 228 KB of shared memory each; and the training products are thin (n = 100,
/// m or k = 784 or 8000): a (8000, 784)·(784, 100) product makes 250 blocks of 64×64, enough for the 132 SMs of an
/// H100, but only 63 of 128×128, whose 256-thread groups would fit the same 16 warps per SM.
/// </para>
/// <para>
/// Global loads are 128-bit where an operand's contiguous dimension has a multiple of 4 elements and its view
/// starts on a multiple of 4 floats (<see cref="VectorNNKernel"/> and the other three layouts); otherwise
/// <see cref="ScalarKernel"/> loads one float at a time with the same blocking. Edges need no branches in the
/// loop: a lane past m or n reads lane 0 (its results are never stored), a depth past k reads element 0, and the
/// last, partial slab is multiplied only over its k mod 8 valid depths, so m, n, k of 1, primes and k below 8
/// take the same path; C is stored element by element where n is not a multiple of 4.
/// </para>
/// </remarks>
internal static partial class GpuGemm
{
    /// <summary>Rows and columns of C one group computes.</summary>
    internal const int Block = 64;

    /// <summary>Depth of one shared-memory slab.</summary>
    internal const int Depth = 8;

    /// <summary>Threads per group: an 8×8 grid of threads, each computing 8×8 outputs.</summary>
    internal const int Threads = 64;

    /// <summary>
    /// Groups per SM the kernels are compiled for (<see cref="KernelBoundsAttribute"/>): 64K registers / (8 × 64
    /// threads) caps ptxas at 128 registers a thread. The kernels need 111–115 with or without it; the cap makes a
    /// change that needs more spill (which <c>.ci/ptx-check.sh</c> fails on) instead of silently halving the
    /// groups per SM, as a straight-line version did at 232 registers.
    /// </summary>
    internal const int GroupsPerMultiprocessor = 8;

    /// <summary>
    /// C = op(A)·op(B) with the epilogue of <paramref name="options"/> (bias, ReLU) and, given split-k scratch, the depth
    /// split over several groups per block where the blocks alone would leave most multiprocessors idle.
    /// </summary>
    /// <exception cref="InvalidOperationException">The device's groups are smaller than <see cref="Threads"/>.</exception>
    internal static void Multiply(
        ComputeDevice device, Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, GemmShape shape, GemmOptions options)
    {
        if (device.Accelerator.MaxNumThreadsPerGroup < Threads)
        {
            throw new InvalidOperationException(
                $"The blocked matmul needs groups of {Threads} threads; {device} allows {device.Accelerator.MaxNumThreadsPerGroup}.");
        }

        var kernel = Choose(a, transposeA, b, transposeB, shape);
        int blocks = Blocks(shape.M, shape.N);
        var split = options.SplitK;
        var (splits, depth) = split is null ? (1, shape.K) : split.Plan(blocks, shape.K);
        split?.Require(splits, shape.M, shape.N, blocks);
        int work = blocks * splits;
        int groups = device.IsCpu ? Math.Min(work, device.Accelerator.NumMultiprocessors) : work;
        int vectorC = c.Offset % 4 == 0 && shape.N % 4 == 0 && shape.Ldc % 4 == 0 ? 1 : 0;
        var epilogue = new GemmEpilogue(options.Bias is null ? 0 : 1, options.Relu ? 1 : 0, vectorC, splits, depth);
        using var launch = device.Kernels.Begin();
        // Unused views (no bias, no split) are C itself: never read, but every parameter needs a view.
        var cView = c.View;
        launch.Run(LaunchShape.Groups(groups, Threads), kernel, a.View, b.View, cView, options.Bias?.View ?? cView,
            split?.Partials.View ?? cView, split?.Counters ?? cView.Cast<int>(), shape, epilogue);
    }

    /// <summary>Blocks of C of a product with an (m, n) result.</summary>
    internal static int Blocks(int m, int n) => ((m + Block - 1) / Block) * ((n + Block - 1) / Block);

    /// <summary>The kernel for dense operands (see the other overload).</summary>
    internal static GemmKernel Choose(Tensor a, bool transposeA, Tensor b, bool transposeB, int m, int n, int k) =>
        Choose(a, transposeA, b, transposeB, GemmShape.Dense(m, n, k, transposeA, transposeB));

    /// <summary>
    /// The kernel for these operands: a vector kernel when both operands allow 128-bit loads (their view starting on a
    /// multiple of 4 floats and their rows, the stride that is not 1, a multiple of 4 floats: then a Float4 that
    /// starts inside a row ends inside its storage, padding included; device buffers themselves start at least
    /// 256-byte aligned), else <see cref="ScalarKernel"/>.
    /// </summary>
    internal static GemmKernel Choose(Tensor a, bool transposeA, Tensor b, bool transposeB, GemmShape shape)
    {
        bool vectorA = a.Offset % 4 == 0 && (transposeA ? shape.SAp : shape.SAi) % 4 == 0;
        bool vectorB = b.Offset % 4 == 0 && (transposeB ? shape.SBj : shape.SBp) % 4 == 0;
        if (!(vectorA && vectorB))
        {
            return ScalarKernel;
        }

        return (transposeA, transposeB) switch
        {
            (false, false) => VectorNNKernel,
            (true, false) => VectorTNKernel,
            (false, true) => VectorNTKernel,
            _ => VectorTTKernel,
        };
    }

    /// <summary>Any strides and alignment: one-float global loads, the same blocking as the vector kernels.</summary>
    [KernelBounds(Threads, GroupsPerMultiprocessor)]
    internal static void ScalarKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        ArrayView<float> partials, ArrayView<int> counters, GemmShape shape, GemmEpilogue epilogue) =>
        Run(a, b, c, bias, partials, counters, shape, epilogue, Scalar, Scalar);

    /// <summary>A·B: a is (m, k) with rows a multiple of 4 floats apart, b is (k, n) likewise; 128-bit loads along k of a and n of b.</summary>
    [KernelBounds(Threads, GroupsPerMultiprocessor)]
    internal static void VectorNNKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        ArrayView<float> partials, ArrayView<int> counters, GemmShape shape, GemmEpilogue epilogue) =>
        Run(a, b, c, bias, partials, counters, shape, epilogue, AlongDepth, AlongLanes);

    /// <summary>Aᵀ·B: a is (k, m), b is (k, n); 128-bit loads along m and n.</summary>
    [KernelBounds(Threads, GroupsPerMultiprocessor)]
    internal static void VectorTNKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        ArrayView<float> partials, ArrayView<int> counters, GemmShape shape, GemmEpilogue epilogue) =>
        Run(a, b, c, bias, partials, counters, shape, epilogue, AlongLanes, AlongLanes);

    /// <summary>A·Bᵀ: a is (m, k), b is (n, k); 128-bit loads along k of both.</summary>
    [KernelBounds(Threads, GroupsPerMultiprocessor)]
    internal static void VectorNTKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        ArrayView<float> partials, ArrayView<int> counters, GemmShape shape, GemmEpilogue epilogue) =>
        Run(a, b, c, bias, partials, counters, shape, epilogue, AlongDepth, AlongDepth);

    /// <summary>Aᵀ·Bᵀ: a is (k, m), b is (n, k).</summary>
    [KernelBounds(Threads, GroupsPerMultiprocessor)]
    internal static void VectorTTKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        ArrayView<float> partials, ArrayView<int> counters, GemmShape shape, GemmEpilogue epilogue) =>
        Run(a, b, c, bias, partials, counters, shape, epilogue, AlongLanes, AlongDepth);
}
