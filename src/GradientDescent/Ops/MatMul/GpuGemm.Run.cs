using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;

namespace GradientDescent;

/// <summary>The body the five GEMM kernels share: block loop, double-buffered slab loop, partial slab, epilogue.</summary>
/// <remarks>
/// Every function here is inlined and each kernel passes its load modes as constants, so ILGPU folds the mode branches
/// away and each kernel keeps only its own loads. What shapes the code is how ILGPU 1.5.3 orders PTX: it does not
/// unroll loops, and it places arithmetic next to its last use, so a straight-line block of 8 depth steps came out
/// accumulator by accumulator with all 128 operands of a slab loaded first, and a barrier between the shared loads
/// and the arithmetic kept ptxas from interleaving them (232 registers unbounded, spills at 128). Hence the depth
/// steps are a small loop (<see cref="GemmTile.Multiply"/>), the tile lives in the plain fields of a value type
/// (never an array, which would live in local memory), and views are offset once so that loads are base + constant.
/// </remarks>
internal static partial class GpuGemm
{
    /// <summary>Each float loaded on its own, any strides.</summary>
    private const int Scalar = 0;

    /// <summary>128-bit loads along the depth p (A as stored (m, k), B as stored (n, k)).</summary>
    private const int AlongDepth = 1;

    /// <summary>128-bit loads along the rows of A or columns of B (A stored (k, m), B stored (k, n)).</summary>
    private const int AlongLanes = 2;

    /// <summary>Float4s in one stage of one operand: <see cref="Depth"/> rows of <see cref="Block"/> floats.</summary>
    private const int Stage4 = Depth * Block / 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, ArrayView<float> partials,
        ArrayView<int> counters, GemmShape shape, GemmEpilogue epilogue, int modeA, int modeB)
    {
        // [stage][p][lane]: two stages of 8 depth rows of 64 floats per operand, 8 KB in all.
        // One row more than the two stages: GemmTile.Multiply steps a view past the last row it reads.
        var sharedA = SharedMemory.Allocate<Float4>((2 * Stage4) + (Block / 4));
        var sharedB = SharedMemory.Allocate<Float4>((2 * Stage4) + (Block / 4));
        var arrived = SharedMemory.Allocate<int>(1);
        var sharedA1 = sharedA.Cast<float>();
        var sharedB1 = sharedB.Cast<float>();
        var a4 = a.Cast<Float4>();
        var b4 = b.Cast<Float4>();
        var c4 = c.Cast<Float4>();
        int m = shape.M, n = shape.N, k = shape.K;
        int sAi = shape.SAi, sAp = shape.SAp, sBp = shape.SBp, sBj = shape.SBj;
        int splits = epilogue.Splits;
        int t = Group.IdxX;
        // Bit operations, not % and /: ptxas turns a signed rem.s32 by a constant into a full division.
        int tx = t & 7;
        int ty = t >> 3;
        int blocksN = (n + Block - 1) / Block;
        int work = ((m + Block - 1) / Block) * blocksN * splits;
        int gridStride = Grid.DimX;
        // Item = block·splits + split: the splits of one block are consecutive, so they run side by side and their
        // partials are fresh in L2.
        for (int item = Grid.IdxX; item < work; item += gridStride)
        {
            int kBegin = (item % splits) * epilogue.SplitDepth;
            int kEnd = XMath.Min(k, kBegin + epilogue.SplitDepth);
            int i0 = (item / splits / blocksN) * Block;
            int j0 = (item / splits % blocksN) * Block;
            var cursorA = Cursor(modeA, t, i0, m, sAi, sAp);
            var cursorB = Cursor(modeB, t, j0, n, sBj, sBp);

            Store(modeA, sharedA1, sharedA, 0, t, Load(modeA, cursorA, a, a4, kBegin, kEnd, sAp));
            Store(modeB, sharedB1, sharedB, 0, t, Load(modeB, cursorB, b, b4, kBegin, kEnd, sBp));
            Group.Barrier();
            var tile = default(GemmTile);
            int read4 = 0;
            // Whole slabs while one fits before kEnd. Only p0 and kEnd live through the loop (ILGPU recomputes a
            // bound derived from others in the loop header, keeping those live too).
            int p0 = kBegin;
            for (; p0 <= kEnd - Depth; p0 += Depth)
            {
                // The next slab's global loads are issued first and land in registers while this slab is multiplied;
                // then they go to the other stage. One barrier per slab: the other stage was last read before the
                // previous barrier, and this one publishes the next slab.
                var slabA = Load(modeA, cursorA, a, a4, p0 + Depth, kEnd, sAp);
                var slabB = Load(modeB, cursorB, b, b4, p0 + Depth, kEnd, sBp);
                tile = GemmTile.Multiply(tile, sharedA, sharedB, read4, tx, ty, Depth);
                Store(modeA, sharedA1, sharedA, Stage4 - read4, t, slabA);
                Store(modeB, sharedB1, sharedB, Stage4 - read4, t, slabB);
                Group.Barrier();
                read4 = Stage4 - read4;
            }

            // A last, partial slab (the range not a multiple of 8), stored by the last iteration or before the loop
            // when the range is below 8: only its first kEnd − p0 depth rows are multiplied, so what was loaded past
            // kEnd is never read.
            if (p0 < kEnd)
            {
                tile = GemmTile.Multiply(tile, sharedA, sharedB, read4, tx, ty, kEnd - p0);
                // The next block's first slab overwrites stage 0, which this may be reading.
                Group.Barrier();
            }

            int row0 = i0 + (4 * ty);
            int col0 = j0 + (4 * tx);
            if (splits == 1)
            {
                GemmTile.Write(tile, c, c4, 0, row0, col0, m, n, shape.Ldc, epilogue.VectorC, bias, epilogue.Bias, epilogue.Relu);
            }
            else
            {
                // The block and split again from i0, j0 and item (live anyway) rather than kept through the loop.
                int block = ((i0 / Block) * blocksN) + (j0 / Block);
                // The scalar kernel (a constant mode) reads the partials one float at a time too: it has no 128-bit global loads.
                FinishSplit(tile, c, c4, bias, partials, counters, arrived, shape, epilogue, block, item - (block * splits), row0, col0, t,
                    modeA == Scalar ? 0 : 1);
            }
        }
    }

    /// <summary>
    /// Where thread <paramref name="t"/> reads its part of every slab of one operand with <paramref name="lanes"/>
    /// lanes (m rows of A or n columns of B), element (lane, p) at lane·<paramref name="strideLane"/> +
    /// p·<paramref name="strideDepth"/>. Depth-wise modes give each thread one lane and its 8 depths; the
    /// lane-wise mode gives each thread 4 consecutive lanes at two depths, d and d + 4.
    /// </summary>
    /// <remarks>
    /// A lane past the edge reads lane 0 instead (offset 0), always inside the operand: its values only reach rows
    /// or columns of C that are never written.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SlabCursor Cursor(int mode, int t, int lane0, int lanes, int strideLane, int strideDepth)
    {
        if (mode == AlongLanes)
        {
            int lane = lane0 + (4 * (t & 15));
            int d = t >> 4;
            // Float4 index of (lane, d); lane and the depth stride are multiples of 4 here.
            return new SlabCursor(d, lane < lanes ? (lane / 4) + (d * (strideDepth / 4)) : 0);
        }

        int own = lane0 + t;
        int offset = own < lanes ? own * strideLane : 0;
        return new SlabCursor(0, mode == AlongDepth ? offset / 4 : offset);
    }

    /// <summary>
    /// The thread's 8 floats of the slab at depth <paramref name="p0"/>. Every load is issued, from element 0 where
    /// a depth lies at or past <paramref name="k"/> (the end of the split's depth range; and from lane 0 for a lane
    /// past the edge, see <see cref="Cursor"/>), so the loop has no branches; such values are never used (see the
    /// partial slab in <see cref="Run"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Slab Load(int mode, SlabCursor cursor, ArrayView<float> x, ArrayView<Float4> x4, int p0, int k, int strideDepth)
    {
        var slab = default(Slab);
        if (mode == AlongDepth)
        {
            // Rows are a multiple of 4 floats apart and p0 a multiple of 4, so a Float4 starting below k lies wholly
            // inside its row's storage (past k only into the row's padding, never multiplied).
            int at = cursor.Offset + (p0 / 4);
            slab.Low = x4[p0 < k ? at : 0];
            slab.High = x4[p0 + 4 < k ? at + 1 : 0];
        }
        else if (mode == AlongLanes)
        {
            int p = p0 + cursor.Depth;
            int at = cursor.Offset + (p0 * (strideDepth / 4));
            slab.Low = x4[p < k ? at : 0];
            slab.High = x4[p + 4 < k ? at + strideDepth : 0];
        }
        else
        {
            slab.Low = new Float4(
                Element(cursor, x, p0, k, strideDepth), Element(cursor, x, p0 + 1, k, strideDepth),
                Element(cursor, x, p0 + 2, k, strideDepth), Element(cursor, x, p0 + 3, k, strideDepth));
            slab.High = new Float4(
                Element(cursor, x, p0 + 4, k, strideDepth), Element(cursor, x, p0 + 5, k, strideDepth),
                Element(cursor, x, p0 + 6, k, strideDepth), Element(cursor, x, p0 + 7, k, strideDepth));
        }

        return slab;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Element(SlabCursor cursor, ArrayView<float> x, int p, int k, int strideDepth) =>
        x[p < k ? cursor.Offset + (p * strideDepth) : 0];

    /// <summary>
    /// Writes a loaded slab into one stage, depth-major: lane-wise slabs as two 128-bit stores (rows d and
    /// d + 4), depth-wise ones as 8 single floats down column t (consecutive threads, consecutive banks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(int mode, ArrayView<float> shared1, ArrayView<Float4> shared4, int stage4, int t, Slab slab)
    {
        if (mode == AlongLanes)
        {
            var at = shared4.SubView(stage4 + ((t >> 4) * (Block / 4)) + (t & 15));
            at[0] = slab.Low;
            at[4 * (Block / 4)] = slab.High;
        }
        else
        {
            // A view at this thread's column: the 8 stores are base + constant.
            var at = shared1.SubView((4 * stage4) + t);
            at[0] = slab.Low.X;
            at[Block] = slab.Low.Y;
            at[2 * Block] = slab.Low.Z;
            at[3 * Block] = slab.Low.W;
            at[4 * Block] = slab.High.X;
            at[5 * Block] = slab.High.Y;
            at[6 * Block] = slab.High.Z;
            at[7 * Block] = slab.High.W;
        }
    }

    /// <summary>A thread's 8 staged floats of one slab.</summary>
    private struct Slab
    {
        internal Float4 Low;
        internal Float4 High;
    }

    /// <summary>Where a thread reads a slab: its depth row (lane-wise mode) and its offset at p = 0.</summary>
    private readonly struct SlabCursor(int depth, int offset)
    {
        internal readonly int Depth = depth;
        internal readonly int Offset = offset;
    }
}
