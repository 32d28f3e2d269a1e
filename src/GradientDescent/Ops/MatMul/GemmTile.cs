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
    /// Stores the tile into C (m, n), C(i, j) at <paramref name="start"/> + i·<paramref name="ldc"/> + j, the tile's first
    /// row and column being <paramref name="row0"/> and <paramref name="col0"/>; skips what lies outside C. On the way
    /// it adds bias[j] (<paramref name="hasBias"/>) and then clamps at 0 (<paramref name="relu"/>): the epilogue, the
    /// same arithmetic as the bias + ReLU kernel. With <paramref name="vectorC"/> (n and ldc multiples of 4, C 16-byte
    /// aligned) each row half is one 128-bit store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write(
        GemmTile t, ArrayView<float> c, ArrayView<Float4> c4, int start, int row0, int col0, int m, int n, int ldc, int vectorC,
        ArrayView<float> bias, int hasBias, int relu)
    {
        const int Half = GpuGemm.Block / 2;
        var biasL = default(Float4);
        var biasH = default(Float4);
        if (hasBias != 0)
        {
            biasL = BiasOf(bias, col0, n);
            biasH = BiasOf(bias, col0 + Half, n);
        }

        // Static helpers with every value passed, not a struct's methods: a method of a value type takes its address,
        // which can put the value in local memory.
        WriteRow(c, c4, start, row0, col0, m, n, ldc, vectorC, Epilogue(t._r0L, biasL, hasBias, relu), Epilogue(t._r0H, biasH, hasBias, relu));
        WriteRow(c, c4, start, row0 + 1, col0, m, n, ldc, vectorC, Epilogue(t._r1L, biasL, hasBias, relu), Epilogue(t._r1H, biasH, hasBias, relu));
        WriteRow(c, c4, start, row0 + 2, col0, m, n, ldc, vectorC, Epilogue(t._r2L, biasL, hasBias, relu), Epilogue(t._r2H, biasH, hasBias, relu));
        WriteRow(c, c4, start, row0 + 3, col0, m, n, ldc, vectorC, Epilogue(t._r3L, biasL, hasBias, relu), Epilogue(t._r3H, biasH, hasBias, relu));
        WriteRow(c, c4, start, row0 + Half, col0, m, n, ldc, vectorC, Epilogue(t._r4L, biasL, hasBias, relu), Epilogue(t._r4H, biasH, hasBias, relu));
        WriteRow(c, c4, start, row0 + Half + 1, col0, m, n, ldc, vectorC, Epilogue(t._r5L, biasL, hasBias, relu), Epilogue(t._r5H, biasH, hasBias, relu));
        WriteRow(c, c4, start, row0 + Half + 2, col0, m, n, ldc, vectorC, Epilogue(t._r6L, biasL, hasBias, relu), Epilogue(t._r6H, biasH, hasBias, relu));
        WriteRow(c, c4, start, row0 + Half + 3, col0, m, n, ldc, vectorC, Epilogue(t._r7L, biasL, hasBias, relu), Epilogue(t._r7H, biasH, hasBias, relu));
    }

    /// <summary>
    /// Stores, for this thread's 8×8 outputs of C, the sums of the splits' partial blocks (slot s is the (m, n) matrix
    /// at s·m·n) through the epilogue, as <see cref="Write"/> stores a tile. Each 4 outputs are added over slots 0, 1,
    /// … in order and stored before the next 4 are read, so only a few values are live.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteSums(
        ArrayView<float> c, ArrayView<Float4> c4, ArrayView<float> p, ArrayView<Float4> p4, int row0, int col0,
        GemmShape shape, GemmEpilogue epilogue, ArrayView<float> bias, int vectorP)
    {
        const int Half = GpuGemm.Block / 2;
        WriteSumRow(c, c4, p, p4, row0, col0, shape, epilogue, bias, vectorP);
        WriteSumRow(c, c4, p, p4, row0 + 1, col0, shape, epilogue, bias, vectorP);
        WriteSumRow(c, c4, p, p4, row0 + 2, col0, shape, epilogue, bias, vectorP);
        WriteSumRow(c, c4, p, p4, row0 + 3, col0, shape, epilogue, bias, vectorP);
        WriteSumRow(c, c4, p, p4, row0 + Half, col0, shape, epilogue, bias, vectorP);
        WriteSumRow(c, c4, p, p4, row0 + Half + 1, col0, shape, epilogue, bias, vectorP);
        WriteSumRow(c, c4, p, p4, row0 + Half + 2, col0, shape, epilogue, bias, vectorP);
        WriteSumRow(c, c4, p, p4, row0 + Half + 3, col0, shape, epilogue, bias, vectorP);
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
    private static Float4 Sum(Float4 x, Float4 y) => new(x.X + y.X, x.Y + y.Y, x.Z + y.Z, x.W + y.W);

    /// <summary>bias[col..col+3], an element inside for a column past n (its sums are never stored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Float4 BiasOf(ArrayView<float> bias, int col, int n) =>
        new(bias[col < n ? col : 0], bias[col + 1 < n ? col + 1 : 0], bias[col + 2 < n ? col + 2 : 0], bias[col + 3 < n ? col + 3 : 0]);

    /// <summary>The epilogue of 4 columns: the bias, then v &lt; 0 ? 0 : v as the ReLU kernel (NaN stays NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Float4 Epilogue(Float4 v, Float4 b, int hasBias, int relu)
    {
        if (hasBias != 0)
        {
            v = Sum(v, b);
        }

        if (relu != 0)
        {
            v = new Float4(v.X < 0f ? 0f : v.X, v.Y < 0f ? 0f : v.Y, v.Z < 0f ? 0f : v.Z, v.W < 0f ? 0f : v.W);
        }

        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(
        ArrayView<float> c, ArrayView<Float4> c4, int start, int row, int col0, int m, int n, int ldc, int vectorC, Float4 low, Float4 high)
    {
        if (row >= m)
        {
            return;
        }

        int at = start + (row * ldc) + col0;
        WriteFour(c, c4, at, col0, n, vectorC, low);
        WriteFour(c, c4, at + (GpuGemm.Block / 2), col0 + (GpuGemm.Block / 2), n, vectorC, high);
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

    /// <summary>Both halves of one row of <see cref="WriteSums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteSumRow(
        ArrayView<float> c, ArrayView<Float4> c4, ArrayView<float> p, ArrayView<Float4> p4, int row, int col0,
        GemmShape shape, GemmEpilogue e, ArrayView<float> bias, int vectorP)
    {
        int m = shape.M, n = shape.N;
        if (row >= m)
        {
            return;
        }

        const int Half = GpuGemm.Block / 2;
        int at = (row * shape.Ldc) + col0;
        var low = default(Float4);
        var high = default(Float4);
        for (int s = 0; s < e.Splits; s++)
        {
            int start = s * m * n;
            low = Sum(low, Read(p, p4, start, row, col0, m, n, n, vectorP));
            high = Sum(high, Read(p, p4, start, row, col0 + Half, m, n, n, vectorP));
        }

        var biasL = default(Float4);
        var biasH = default(Float4);
        if (e.Bias != 0)
        {
            biasL = BiasOf(bias, col0, n);
            biasH = BiasOf(bias, col0 + Half, n);
        }

        WriteFour(c, c4, at, col0, n, e.VectorC, Epilogue(low, biasL, e.Bias, e.Relu));
        WriteFour(c, c4, at + Half, col0 + Half, n, e.VectorC, Epilogue(high, biasH, e.Bias, e.Relu));
    }

    /// <summary>4 columns from <paramref name="col"/> of a row of a matrix; the element at its start for anything outside it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Float4 Read(ArrayView<float> p, ArrayView<Float4> p4, int start, int row, int col, int m, int n, int ld, int vector)
    {
        int at = start + (row * ld) + col;
        if (vector != 0)
        {
            // n % 4 = 0: the four columns are all inside or all outside.
            return p4[(row < m && col < n ? at : start) / 4];
        }

        bool inside = row < m;
        return new Float4(
            p[inside && col < n ? at : start], p[inside && col + 1 < n ? at + 1 : start],
            p[inside && col + 2 < n ? at + 2 : start], p[inside && col + 3 < n ? at + 3 : start]);
    }
}
