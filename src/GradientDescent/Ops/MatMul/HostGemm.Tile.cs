using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradientDescent;

/// <summary>The register tiles: a block of C from packed or in-place op(A) and packed B panels.</summary>
internal static unsafe partial class HostGemm
{
    /// <summary>
    /// Runs the register tile over a block. Element (r, p) of the block's op(A) is at
    /// <c>a[r·rowStride + p·depthStride]</c> (packed: depth stride MR, row stride 1; in place: op(A)'s own strides),
    /// and consecutive MR-row panels start <paramref name="panelStride"/> apart. <paramref name="next"/> is
    /// fetched an equal share per tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(
        float* a, int depthStride, int rowStride, long panelStride, float* bp, float* c, int ldc, int rows, int cols, int kc, bool accumulate,
        Prefetcher next)
    {
        int tiles = (rows + MR - 1) / MR * ((cols + NR - 1) / NR);
        int perTile = (next.Lines + tiles - 1) / tiles;
        for (int j = 0; j < cols; j += NR)
        {
            float* bPanel = bp + ((long)(j / NR) * kc * NR);
            for (int i = 0; i < rows; i += MR)
            {
                float* aPanel = a + ((i / MR) * panelStride);
                float* cTile = c + ((long)i * ldc) + j;
                int tileRows = Math.Min(MR, rows - i);
                int tileCols = Math.Min(NR, cols - j);
                if (perTile > 0)
                {
                    next.Issue(perTile);
                }

                if (depthStride == MR && rowStride == 1)
                {
                    MicroPacked(kc, aPanel, bPanel, cTile, ldc, tileRows, tileCols, accumulate);
                }
                else
                {
                    Micro(kc, aPanel, depthStride, rowStride, bPanel, cTile, ldc, tileRows, tileCols, accumulate);
                }
            }
        }
    }

    /// <summary>
    /// The register tile over a packed A panel (MR floats per depth step): the row offsets are the
    /// constants 1–5, so once <see cref="Tile"/> is inlined every broadcast addresses one A pointer
    /// plus a fixed displacement. In isolation it runs at ~98% of one core's FMA peak.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void MicroPacked(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, bool accumulate) =>
        Tile(kc, a, MR, 1, 2, 3, 4, 5, b, c, ldc, rows, cols, accumulate);

    /// <summary>
    /// The register tile over op(A) read in place: element (r, p) at <c>a[r·rowStride + p·depthStride]</c>.
    /// Rows past the edge read row 0 again (always valid memory); their results are never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Micro(
        int kc, float* a, int depthStride, int rowStride, float* b, float* c, int ldc, int rows, int cols, bool accumulate) =>
        Tile(kc, a, depthStride,
            rows > 1 ? rowStride : 0, rows > 2 ? 2L * rowStride : 0, rows > 3 ? 3L * rowStride : 0,
            rows > 4 ? 4L * rowStride : 0, rows > 5 ? 5L * rowStride : 0,
            b, c, ldc, rows, cols, accumulate);

    /// <summary>
    /// A 6×16 tile of C from kc depth steps: row r of op(A) at <c>a + o_r</c> (o_0 = 0), one depth step
    /// <paramref name="depthStride"/> further; B a packed NR-wide panel. Two depth steps per iteration
    /// and one A pointer keep the loop to 12 FMAs per 8 loads and almost nothing else.
    /// </summary>
    /// <remarks>
    /// Its two callers are never inlined themselves: inlined into the parallel loop's delegate, they
    /// left the JIT no budget to inline this, which then ran as unoptimised tier-0 code, 60× slower,
    /// until tiering caught up (a 64×784×100 product measured 8 ms instead of 0.13 ms).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(
        int kc, float* a, long depthStride, long o1, long o2, long o3, long o4, long o5,
        float* b, float* c, int ldc, int rows, int cols, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        float* pairsEnd = b + ((long)(kc & ~1) * NR);
        PrefetchTile(c, ldc, rows);
        while (b < pairsEnd)
        {
            Step(a, o1, o2, o3, o4, o5, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step(a + depthStride, o1, o2, o3, o4, o5, b + NR, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            a += 2 * depthStride;
            b += 2 * NR;
        }

        if ((kc & 1) != 0)
        {
            Step(a, o1, o2, o3, o4, o5, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }

        WriteTile(c, ldc, rows, cols, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// One depth step of the tile: two loads of B's row, six broadcasts of A's column (rows at a and
    /// a + o1..o5), twelve FMAs. Inlined, the accumulators stay in registers (checked in the disassembly).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(
        float* a, long o1, long o2, long o3, long o4, long o5, float* b,
        ref Vector256<float> c00, ref Vector256<float> c01, ref Vector256<float> c10, ref Vector256<float> c11,
        ref Vector256<float> c20, ref Vector256<float> c21, ref Vector256<float> c30, ref Vector256<float> c31,
        ref Vector256<float> c40, ref Vector256<float> c41, ref Vector256<float> c50, ref Vector256<float> c51)
    {
        var b0 = Vector256.Load(b);
        var b1 = Vector256.Load(b + 8);
        var x = Vector256.Create(a[0]);
        c00 = MulAdd(x, b0, c00);
        c01 = MulAdd(x, b1, c01);
        x = Vector256.Create(a[o1]);
        c10 = MulAdd(x, b0, c10);
        c11 = MulAdd(x, b1, c11);
        x = Vector256.Create(a[o2]);
        c20 = MulAdd(x, b0, c20);
        c21 = MulAdd(x, b1, c21);
        x = Vector256.Create(a[o3]);
        c30 = MulAdd(x, b0, c30);
        c31 = MulAdd(x, b1, c31);
        x = Vector256.Create(a[o4]);
        c40 = MulAdd(x, b0, c40);
        c41 = MulAdd(x, b1, c41);
        x = Vector256.Create(a[o5]);
        c50 = MulAdd(x, b0, c50);
        c51 = MulAdd(x, b1, c51);
    }

    /// <summary>
    /// Asks for the C tile's lines at the start of a tile: its rows are ldc apart, so each is a separate
    /// miss, and without the hint those misses were paid after the FMAs, when the tile is written (at
    /// 2048³ this took one core from 65 to 78 GFLOPS).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, int ldc, int rows)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c + ((long)r * ldc));
            Sse.Prefetch0(c + ((long)r * ldc) + NR - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteTile(
        float* c, int ldc, int rows, int cols, bool accumulate,
        Vector256<float> c00, Vector256<float> c01, Vector256<float> c10, Vector256<float> c11, Vector256<float> c20, Vector256<float> c21,
        Vector256<float> c30, Vector256<float> c31, Vector256<float> c40, Vector256<float> c41, Vector256<float> c50, Vector256<float> c51)
    {
        if (rows == MR && cols == NR)
        {
            Store(c, c00, c01, accumulate);
            Store(c + ldc, c10, c11, accumulate);
            Store(c + (2 * ldc), c20, c21, accumulate);
            Store(c + (3 * ldc), c30, c31, accumulate);
            Store(c + (4 * ldc), c40, c41, accumulate);
            Store(c + (5 * ldc), c50, c51, accumulate);
            return;
        }

        WriteEdge(c, ldc, rows, cols, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// An edge tile: the register tile spilled, then each row's part inside C copied 8, 4, then 1 float at a
    /// time (the net's 100 columns leave 4 in the last panel: one 128-bit copy per row, not four scalar ones).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void WriteEdge(
        float* c, int ldc, int rows, int cols, bool accumulate,
        Vector256<float> c00, Vector256<float> c01, Vector256<float> c10, Vector256<float> c11, Vector256<float> c20, Vector256<float> c21,
        Vector256<float> c30, Vector256<float> c31, Vector256<float> c40, Vector256<float> c41, Vector256<float> c50, Vector256<float> c51)
    {
        float* tile = stackalloc float[MR * NR];
        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72);
        c50.Store(tile + 80); c51.Store(tile + 88);
        for (int r = 0; r < rows; r++)
        {
            float* row = c + ((long)r * ldc);
            float* from = tile + (r * NR);
            int j = 0;
            for (; j + 8 <= cols; j += 8)
            {
                var v = Vector256.Load(from + j);
                (accumulate ? v + Vector256.Load(row + j) : v).Store(row + j);
            }

            if (j + 4 <= cols)
            {
                var v = Vector128.Load(from + j);
                (accumulate ? v + Vector128.Load(row + j) : v).Store(row + j);
                j += 4;
            }

            for (; j < cols; j++)
            {
                row[j] = accumulate ? row[j] + from[j] : from[j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> low, Vector256<float> high, bool accumulate)
    {
        if (accumulate)
        {
            low += Vector256.Load(c);
            high += Vector256.Load(c + 8);
        }

        low.Store(c);
        high.Store(c + 8);
    }
}
