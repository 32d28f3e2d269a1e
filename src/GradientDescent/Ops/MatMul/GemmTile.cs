using System.Runtime.CompilerServices;
using ILGPU;

namespace GradientDescent;

/// <summary>
/// One thread's 8×8 block of C in <see cref="GpuGemm"/>: rows r0..r3 are block rows 4ty..4ty+3 and r4..r7 are
/// 32+4ty..32+4ty+3; L holds columns 4tx..4tx+3 and H columns 32+4tx..32+4tx+3.
/// </summary>
/// <remarks>
/// Written out in fields because ILGPU 1.5.3 does not unroll loops and keeps an indexed local array in local
/// memory; passed and returned by value so that ILGPU sees plain values and never takes an address (the PTX has
/// no local memory: <c>GemmPtxTests</c>).
/// </remarks>
internal struct GemmTile
{
    private Float4 _r0L, _r0H, _r1L, _r1H, _r2L, _r2H, _r3L, _r3H;
    private Float4 _r4L, _r4H, _r5L, _r5H, _r6L, _r6H, _r7L, _r7H;

    /// <summary>
    /// Adds the first <paramref name="steps"/> (1 to 8) depth steps of one stage: per step, four 128-bit shared
    /// loads (a's 8 rows, b's 8 columns) and 64 multiply-adds. <paramref name="stage4"/> is the stage's first Float4;
    /// both operands are [p][lane], 16 Float4s a depth row.
    /// </summary>
    /// <remarks>
    /// A loop, not 8 written-out steps: ILGPU emits straight-line arithmetic grouped by result (all 8 depth steps
    /// of one accumulator, then the next), which needs every operand of the stage in registers at once (128
    /// floats beside the 64 accumulators) and spilled. One step per iteration keeps 16 operands live. A do-while:
    /// with the test at the bottom ptxas peels the first step and keeps the accumulators in place, where a
    /// for-loop cost 32 register moves a slab.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static GemmTile Multiply(GemmTile tile, ArrayView<Float4> a, ArrayView<Float4> b, int stage4, int tx, int ty, int steps)
    {
        const int Row = GpuGemm.Block / 4;
        // Views at this thread's words, stepped one depth row per iteration: each load is the view plus a
        // constant, which ptxas folds into the instruction, and the loop carries just the two addresses.
        var pa = a.SubView(stage4 + ty);
        var pb = b.SubView(stage4 + tx);
        int step = 0;
        do
        {
            tile = Step(tile, pa[0], pa[8], pb[0], pb[8]);
            pa = pa.SubView(Row);
            pb = pb.SubView(Row);
            step++;
        }
        while (step < steps);

        return tile;
    }

    /// <summary>
    /// Stores the tile into C (m, n) row-major, the tile's first row and column being <paramref name="row0"/> and
    /// <paramref name="col0"/>; skips what lies outside C. With <paramref name="vectorC"/> (n % 4 = 0 and C
    /// 16-byte aligned) each row half is one 128-bit store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write(GemmTile t, ArrayView<float> c, ArrayView<Float4> c4, int row0, int col0, int m, int n, int vectorC)
    {
        const int Half = GpuGemm.Block / 2;
        WriteRow(c, c4, row0, col0, m, n, vectorC, t._r0L, t._r0H);
        WriteRow(c, c4, row0 + 1, col0, m, n, vectorC, t._r1L, t._r1H);
        WriteRow(c, c4, row0 + 2, col0, m, n, vectorC, t._r2L, t._r2H);
        WriteRow(c, c4, row0 + 3, col0, m, n, vectorC, t._r3L, t._r3H);
        WriteRow(c, c4, row0 + Half, col0, m, n, vectorC, t._r4L, t._r4H);
        WriteRow(c, c4, row0 + Half + 1, col0, m, n, vectorC, t._r5L, t._r5H);
        WriteRow(c, c4, row0 + Half + 2, col0, m, n, vectorC, t._r6L, t._r6H);
        WriteRow(c, c4, row0 + Half + 3, col0, m, n, vectorC, t._r7L, t._r7H);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static GemmTile Step(GemmTile t, Float4 a0, Float4 a1, Float4 b0, Float4 b1)
    {
        t._r0L = Float4.MulAdd(a0.X, b0, t._r0L);
        t._r0H = Float4.MulAdd(a0.X, b1, t._r0H);
        t._r1L = Float4.MulAdd(a0.Y, b0, t._r1L);
        t._r1H = Float4.MulAdd(a0.Y, b1, t._r1H);
        t._r2L = Float4.MulAdd(a0.Z, b0, t._r2L);
        t._r2H = Float4.MulAdd(a0.Z, b1, t._r2H);
        t._r3L = Float4.MulAdd(a0.W, b0, t._r3L);
        t._r3H = Float4.MulAdd(a0.W, b1, t._r3H);
        t._r4L = Float4.MulAdd(a1.X, b0, t._r4L);
        t._r4H = Float4.MulAdd(a1.X, b1, t._r4H);
        t._r5L = Float4.MulAdd(a1.Y, b0, t._r5L);
        t._r5H = Float4.MulAdd(a1.Y, b1, t._r5H);
        t._r6L = Float4.MulAdd(a1.Z, b0, t._r6L);
        t._r6H = Float4.MulAdd(a1.Z, b1, t._r6H);
        t._r7L = Float4.MulAdd(a1.W, b0, t._r7L);
        t._r7H = Float4.MulAdd(a1.W, b1, t._r7H);
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(
        ArrayView<float> c, ArrayView<Float4> c4, int row, int col0, int m, int n, int vectorC, Float4 low, Float4 high)
    {
        if (row >= m)
        {
            return;
        }

        WriteFour(c, c4, (row * n) + col0, col0, n, vectorC, low);
        WriteFour(c, c4, (row * n) + col0 + (GpuGemm.Block / 2), col0 + (GpuGemm.Block / 2), n, vectorC, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteFour(ArrayView<float> c, ArrayView<Float4> c4, int at, int col, int n, int vectorC, Float4 v)
    {
        if (vectorC != 0)
        {
            // n % 4 = 0 and col % 4 = 0: the four columns are all inside or all outside.
            if (col < n)
            {
                c4[at / 4] = v;
            }

            return;
        }

        if (col < n)
        {
            c[at] = v.X;
        }

        if (col + 1 < n)
        {
            c[at + 1] = v.Y;
        }

        if (col + 2 < n)
        {
            c[at + 2] = v.Z;
        }

        if (col + 3 < n)
        {
            c[at + 3] = v.W;
        }
    }
}
