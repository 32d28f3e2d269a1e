using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradientDescent;

/// <summary>
/// Single-precision GEMM for the host path, <c>C = op(A)·op(B)</c>, blocked and packed in the manner of
/// BLIS/GotoBLAS: B is packed into kc×NR column panels, A into mc×kc blocks of MR-row panels (or read in
/// place when C is narrow), and a 6×16 register tile of twelve 256-bit accumulators is updated with FMAs.
/// </summary>
/// <remarks>
/// op(A) is (m, k) with A(i, p) = a[i·sAi + p·sAp]; op(B) is (k, n) with B(p, j) = b[p·sBp + j·sBj]; C is
/// (m, n) row-major. Transposes are strides; packing absorbs them. Each element of C is produced by one
/// thread in a fixed order, so results do not depend on scheduling. Every loop here is compiled fully
/// optimised at once (<c>AggressiveOptimization</c>): a GEMM calls its outer loops only a few times, so
/// tiered compilation would otherwise run them as unoptimised or on-stack-replaced code for many
/// calls, and timings varied by up to 2× with how far tiering had got.
/// </remarks>
internal static unsafe partial class HostGemm
{
    private const int MR = 6;
    private const int NR = 16;
    private const int KC = 256;

    /// <summary>
    /// The depth of one block when op(A) is packed (wide C). Deeper than <see cref="KC"/>: every depth block
    /// reads and writes all of C once more, and on two cores that traffic shares one memory bus. 2048³ on
    /// two cores, 22 alternations of the two builds: the median of their minima 124.3 ms against 128.2 ms at
    /// 256, lower in 17 (one core: no change). The narrow Aᵀ products keep 256: 784×8000×100 Aᵀ·B was ~8%
    /// slower at 384.
    /// </summary>
    private const int PackedKC = 384;
    private const int MC = 120;
    private const int NC = 1024;

    // Packed panels live in 64-byte-aligned memory kept per thread: with managed arrays the 32-byte loads
    // of the micro-kernel straddled cache lines or not depending on where the array landed, and the
    // same product ran up to 1.5× slower from one run to the next.
    [ThreadStatic]
    private static AlignedBuffer? s_packedBStorage;

    [ThreadStatic]
    private static AlignedBuffer? s_packedAStorage;

    private static AlignedBuffer s_packedB => s_packedBStorage ??= new AlignedBuffer();

    [ThreadStatic]
    private static AlignedBuffer? s_partialStorage;

    private static AlignedBuffer s_packedA => s_packedAStorage ??= new AlignedBuffer();

    /// <summary>The calling thread's scratch C for <see cref="DepthHalves"/>.</summary>
    private static AlignedBuffer s_partial => s_partialStorage ??= new AlignedBuffer();

    /// <summary>The widest C for which op(A) is read in place rather than packed.</summary>
    private const int InPlaceMaxColumns = 256;

    /// <summary>Below this many multiply-adds, packing costs more than it saves.</summary>
    private const long SmallProduct = 8 * 1024;

    /// <summary>
    /// Below this many multiply-adds a product runs on the calling thread: the three small products of a
    /// batch-64 step (64k each) took 12–13 µs split over two cores and ~4 µs on one.
    /// </summary>
    private const long SerialProduct = 512 * 1024;

    /// <summary>
    /// The most bytes of packed B a narrow product keeps for one depth block. Up to this, the whole depth is
    /// one block (784×112 floats for the net's first layer, 351 KB, in L2): C is then written once instead
    /// of read and written again for every further block, which for an 8000×100 C (3.2 MB, beyond L2) took
    /// 8000×784×100 from ~50 to ~68 GFLOPS on one core.
    /// </summary>
    private const int FullDepthBytes = 512 * 1024;

    /// <summary>The most rows a product splits by depth rather than by rows: 96 rows are 16 row tiles, 8 per core.</summary>
    private const int DepthHalvesMaxRows = 96;

    /// <summary>The shortest depth block worth a core of its own.</summary>
    private const int MinHalfDepth = 64;

    /// <summary>The size of op(A) above which a product read in place as Aᵀ fetches its next block ahead (about L2).</summary>
    private const long PrefetchOperandBytes = 1024 * 1024;

    /// <summary>Bytes of op(A) a narrow product reads in place per row block: its share of L2, reused by every column panel.</summary>
    private const int InPlaceBlockBytes = 192 * 1024;

    internal static void Multiply(float* a, int sAi, int sAp, float* b, int sBp, int sBj, float* c, int m, int n, int k) =>
        Multiply(a, sAi, sAp, b, sBp, sBj, c, m, n, k, default);

    /// <summary>C = op(A)·op(B), then <paramref name="epilogue"/> applied to each block of C once it is final, while it is in cache.</summary>
    internal static void Multiply(float* a, int sAi, int sAp, float* b, int sBp, int sBj, float* c, int m, int n, int k, Epilogue epilogue)
    {
        if ((long)m * n * k <= SmallProduct)
        {
            Naive(a, sAi, sAp, b, sBp, sBj, c, m, n, k);
            epilogue.Apply(c, n, 0, m, 0, n);
            return;
        }

        var plan = new Plan(m, n, k, sAp);
        long work = (long)m * n * k;
        int tiles = (m + MR - 1) / MR;
        int workers = work < SerialProduct ? 1 : Math.Max(1, Math.Min(Environment.ProcessorCount, tiles));
        if (plan.PackA)
        {
            // On one core too: alone, it runs every task in order, which is the blocked loop itself.
            Shared(a, sAi, sAp, b, sBp, sBj, c, m, n, k, plan, workers, epilogue);
            return;
        }

        if (workers == 1)
        {
            Rows(a, sAi, sAp, b, sBp, sBj, c, m, n, k, plan, 0, m, 0, k, epilogue);
            return;
        }

        if (plan.DepthHalves)
        {
            DepthHalves(a, sAi, sAp, b, sBp, sBj, c, m, n, k, plan, epilogue);
            return;
        }

        // A narrow product: one parallel region, one contiguous range of whole row tiles per core (as equal
        // as MR allows: 784 rows split 390/394, where blocks of MC rows had split them 408/376). Each core
        // packs its own copy of B, which costs far less than waking the other core once per depth block.
        HostParallel.For(workers, work / workers, (first, last) =>
        {
            for (int w = first; w < last; w++)
            {
                Rows(a, sAi, sAp, b, sBp, sBj, c, m, n, k, plan,
                    Math.Min(m, tiles * w / workers * MR), Math.Min(m, tiles * (w + 1) / workers * MR), 0, k, epilogue);
            }
        });
    }

    /// <summary>
    /// The two depth blocks of a short product on two cores: the first into C, the second into a scratch
    /// C that is then added to it. That is the order one core uses for two blocks (each tile sums its block
    /// from zero, then adds C), so the bits do not depend on the core count. For C = 64×100, k = 784, a
    /// split by rows gave one core 6 row tiles and the other 5, each packing all of B.
    /// </summary>
    private static void DepthHalves(
        float* a, int sAi, int sAp, float* b, int sBp, int sBj, float* c, int m, int n, int k, Plan plan, Epilogue epilogue)
    {
        int size = m * n;
        float* partial = s_partial.Get(size);
        HostParallel.For(2, (long)m * n * k / 2, (first, last) =>
        {
            for (int half = first; half < last; half++)
            {
                Rows(a, sAi, sAp, b, sBp, sBj, half == 0 ? c : partial, m, n, k, plan, 0, m,
                    half == 0 ? 0 : plan.Depth, half == 0 ? plan.Depth : k, default);
            }
        });
        var sum = new Span<float>(c, size);
        TensorPrimitives.Add(sum, new ReadOnlySpan<float>(partial, size), sum);
        epilogue.Apply(c, n, 0, m, 0, n);
    }

    /// <summary>How a product is blocked: the same for every core, so each element's summation order is fixed.</summary>
    private readonly struct Plan
    {
        internal Plan(int m, int n, int k, int sAp)
        {
            // op(A) is packed when its rows are reused across many column panels (wide C). For the narrow
            // products of a small net (n ≤ 256: C is 64 or 8000 rows by 100) it is read in place, saving a
            // pass over A, the largest operand; that holds for Aᵀ·B too (the weight gradient xᵀ·dh), where
            // the tile's six rows are adjacent floats and each depth step a new line.
            PackA = n > InPlaceMaxColumns;
            int nc = Math.Min(NC, n);
            // Rows of op(A) contiguous (A·B): one depth block when B's packed panels fit the budget, so that C
            // is written once. Otherwise (and for Aᵀ, whose depth steps are separate lines of A) blocks of
            // about KC, all of one size: 784 = 256·3 + 16 had left a last pass over all of C for 16 steps.
            int maxDepth = PackA ? PackedKC : sAp == 1 && (long)k * RoundUp(nc, NR) * sizeof(float) <= FullDepthBytes ? k : KC;
            int blocks = (k + maxDepth - 1) / maxDepth;
            // A short product (few row tiles) runs as two depth blocks, which two cores compute at once.
            DepthHalves = !PackA && blocks == 1 && k >= 2 * MinHalfDepth && m <= DepthHalvesMaxRows && (long)m * n * k >= SerialProduct;
            if (DepthHalves)
            {
                blocks = 2;
            }

            Depth = (k + blocks - 1) / blocks;
            RowBlock = PackA ? MC : Math.Clamp(InPlaceBlockBytes / (Depth * sizeof(float)) / MR * MR, MR, MC);
            Prefetch = !PackA && sAp != 1 && (long)m * k * sizeof(float) > PrefetchOperandBytes;
        }

        /// <summary>Whether op(A) is packed (wide C) or read in place.</summary>
        internal bool PackA { get; }

        /// <summary>Whether the depth is two blocks that two cores compute at once (<see cref="HostGemm.DepthHalves"/>).</summary>
        internal bool DepthHalves { get; }

        /// <summary>Depth of one block (kc); the last may be shorter.</summary>
        internal int Depth { get; }

        /// <summary>Rows of one block (mc), a multiple of MR.</summary>
        internal int RowBlock { get; }

        /// <summary>
        /// Whether each block fetches the next block's op(A) ahead. Read in place as Aᵀ, a block's first pass
        /// over each line waits on memory: a line holds 16 of a row's floats and the next row is a stride
        /// away, too short a run for the hardware prefetcher (784×8000×100 Aᵀ·B: 1.15–1.3× faster on one core).
        /// An op(A) that stays in cache (784×64) gains nothing and pays for the hints.
        /// </summary>
        internal bool Prefetch { get; }
    }

    /// <summary>Rows [rowStart, rowEnd) of a narrow product (op(A) read in place) over depth [depthStart, depthEnd), on this thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(
        float* a, int sAi, int sAp, float* b, int sBp, int sBj, float* c, int m, int n, int k, Plan plan, int rowStart, int rowEnd,
        int depthStart, int depthEnd, Epilogue epilogue)
    {
        int kcMax = plan.Depth, mc = plan.RowBlock;
        float* bp = s_packedB.Get(kcMax * RoundUp(Math.Min(NC, n), NR));
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = depthStart; pc < depthEnd; pc += kcMax)
            {
                int kc = Math.Min(kcMax, depthEnd - pc);
                bool accumulate = pc > depthStart;
                bool last = pc + kc >= depthEnd;
                PackB(b, sBp, sBj, pc, kc, jc, nc, bp);
                for (int ic = rowStart; ic < rowEnd; ic += mc)
                {
                    int rows = Math.Min(mc, rowEnd - ic);
                    float* cBlock = c + ((long)ic * n) + jc;
                    var next = default(Prefetcher);
                    if (plan.Prefetch)
                    {
                        // The next block: further rows at this depth, or this core's first rows at the next depth.
                        int nextRow = ic + mc < rowEnd ? ic + mc : rowStart;
                        int nextDepth = ic + mc < rowEnd ? pc : pc + kcMax;
                        if (nextDepth < depthEnd)
                        {
                            next = new Prefetcher(
                                (byte*)(a + ((long)nextRow * sAi) + ((long)nextDepth * sAp)), (long)sAp * sizeof(float),
                                Math.Min(mc, rowEnd - nextRow) * sizeof(float), Math.Min(kcMax, depthEnd - nextDepth));
                        }
                    }

                    float* aBlock = a + ((long)ic * sAi) + ((long)pc * sAp);
                    Macro(aBlock, sAp, sAi, (long)MR * sAi, bp, cBlock, n, rows, nc, kc, accumulate, next);
                    if (last)
                    {
                        epilogue.Apply(c, n, ic, ic + rows, jc, jc + nc);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The op(A) rows [row, row+mc) at depth [pc, pc+kc) that the next <see cref="PackA"/> reads, fetched into
    /// L2 while this block computes (nothing after a depth's last block). Packing had waited on memory for
    /// every line of A: with the hints a one-core 2048³ product went from 215–243 to 207–219 ms (minima of
    /// alternating processes), where skipping A's packing altogether gives 207.
    /// </summary>
    private static Prefetcher NextToPack(float* a, int sAi, int sAp, int row, int rowEnd, int mc, int pc, int kc)
    {
        if (row >= rowEnd)
        {
            return default;
        }

        int rows = Math.Min(mc, rowEnd - row);
        byte* start = (byte*)(a + ((long)row * sAi) + ((long)pc * sAp));
        return sAp == 1
            ? new Prefetcher(start, (long)sAi * sizeof(float), kc * sizeof(float), rows)
            : new Prefetcher(start, (long)sAp * sizeof(float), rows * sizeof(float), kc);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>A growable, 64-byte-aligned native float buffer owned by one thread for its lifetime.</summary>
    private sealed class AlignedBuffer
    {
        private float* _data;
        private nuint _length;

        internal float* Get(int length)
        {
            if ((nuint)length > _length)
            {
                NativeMemory.AlignedFree(_data);
                _data = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
                _length = (nuint)length;
            }

            return _data;
        }
    }
}
