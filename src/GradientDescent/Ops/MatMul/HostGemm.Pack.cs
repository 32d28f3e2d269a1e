using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradientDescent;

/// <summary>Packing op(A) and op(B) into the panels the register tile reads, and the unblocked product for tiny sizes.</summary>
internal static unsafe partial class HostGemm
{
    /// <summary>
    /// Packs rows [ic, ic+rows) × depth [pc, pc+kc) of op(A) into MR-row panels, p-major, zero-padded.
    /// Reads follow A's unit stride: along each row for A (A·B with wide C), across MR rows per depth
    /// step for Aᵀ (Aᵀ·B, where a row of op(A) is a column of A).
    /// </summary>
    /// <remarks>
    /// Element by element this was a tenth of a one-core 2048³ product (227 against 207 ms with A's packing
    /// skipped): every float took a scalar load, a compare and a store at a stride of MR. A panel's depth step
    /// is six floats, so the vector paths store eight, each store's last two lanes overwritten by the next
    /// step's; the last step of a panel is written alone, so nothing past the panel is touched.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(float* a, int sAi, int sAp, int ic, int rows, int pc, int kc, float* dst)
    {
        for (int i = 0; i < rows; i += MR)
        {
            int valid = Math.Min(MR, rows - i);
            float* panel = dst + ((long)(i / MR) * kc * MR);
            float* src = a + ((long)(ic + i) * sAi) + ((long)pc * sAp);
            int done = 0;
            if (Avx.IsSupported && sAp == 1)
            {
                done = PackRowPanel(src, sAi, valid, kc, panel);
            }
            else if (Avx.IsSupported && sAi == 1)
            {
                done = PackColumnPanel(src, sAp, valid, kc, panel);
            }

            for (int p = done; p < kc; p++)
            {
                float* from = src + ((long)p * sAp);
                float* to = panel + (p * MR);
                for (int r = 0; r < MR; r++)
                {
                    to[r] = r < valid ? from[(long)r * sAi] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// A panel of op(A) = A, whose <paramref name="valid"/> rows are contiguous and <paramref name="rowStride"/>
    /// apart: eight depth steps at a time, the rows loaded as vectors (absent ones zero) and transposed in
    /// registers. Returns the depth steps written; the caller writes the rest, at least the last one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PackRowPanel(float* src, long rowStride, int valid, int kc, float* panel)
    {
        int done = 0;
        for (; done + 8 < kc; done += 8)
        {
            float* from = src + done;
            var r0 = Vector256.Load(from);
            var r1 = valid > 1 ? Vector256.Load(from + rowStride) : Vector256<float>.Zero;
            var r2 = valid > 2 ? Vector256.Load(from + (2 * rowStride)) : Vector256<float>.Zero;
            var r3 = valid > 3 ? Vector256.Load(from + (3 * rowStride)) : Vector256<float>.Zero;
            var r4 = valid > 4 ? Vector256.Load(from + (4 * rowStride)) : Vector256<float>.Zero;
            var r5 = valid > 5 ? Vector256.Load(from + (5 * rowStride)) : Vector256<float>.Zero;
            TransposeStore(r0, r1, r2, r3, r4, r5, r5, r5, panel + (done * MR), MR);
        }

        return done;
    }

    /// <summary>
    /// A panel of op(A) = Aᵀ, whose depth steps are <paramref name="valid"/> contiguous floats
    /// <paramref name="depthStride"/> apart: one masked load (absent rows zero) and one eight-float store per
    /// step. Returns the depth steps written; the caller writes the rest, at least the last one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PackColumnPanel(float* src, long depthStride, int valid, int kc, float* panel)
    {
        var mask = Vector256.LessThan(Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f), Vector256.Create((float)valid));
        int done = 0;
        for (; done + 1 < kc; done++)
        {
            Avx.MaskLoad(src + (done * depthStride), mask).Store(panel + (done * MR));
        }

        return done;
    }

    /// <summary>
    /// Packs depth [pc, pc+kc) × columns [jc, jc+nc) of op(B) into NR-column panels, p-major, zero-padded.
    /// Reads follow B's unit stride: along a row for B, along a column of the panel for Bᵀ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(float* b, int sBp, int sBj, int pc, int kc, int jc, int nc, float* dst)
    {
        if (sBj == 1 && Avx.IsSupported)
        {
            PackRows(b + ((long)pc * sBp) + jc, sBp, kc, nc, dst);
            return;
        }

        for (int j = 0; j < nc; j += NR)
        {
            int valid = Math.Min(NR, nc - j);
            float* panel = dst + ((long)(j / NR) * kc * NR);
            float* src = b + ((long)pc * sBp) + ((long)(jc + j) * sBj);
            if (sBj == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* from = src + ((long)p * sBp);
                    float* row = panel + (p * NR);
                    for (int q = 0; q < NR; q++)
                    {
                        row[q] = q < valid ? from[q] : 0f;
                    }
                }

                continue;
            }

            int done = 0;
            if (sBp == 1 && valid == NR && Avx.IsSupported)
            {
                // Bᵀ: a panel row (fixed depth p) is a column of B. Transposing 8×8 blocks in registers
                // turns 128 strided scalar copies into 16 loads and 16 stores.
                for (; done + 8 <= kc; done += 8)
                {
                    Transpose8x8(src + done, sBj, panel + (done * NR), NR);
                    Transpose8x8(src + done + (8L * sBj), sBj, panel + (done * NR) + 8, NR);
                }
            }

            for (int q = 0; q < NR; q++)
            {
                float* from = src + ((long)q * sBj);
                for (int p = done; p < kc; p++)
                {
                    panel[(p * NR) + q] = q < valid ? from[(long)p * sBp] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Packs kc rows of nc contiguous floats (row p at <c>src + p·stride</c>) into NR-wide panels, a row of B
    /// at a time, so that B is read once and in order; the ragged last panel is read with masked loads
    /// (nothing past the row is touched) and zero-filled. 784×100 went from 17.6 to 7.3 µs: panel by panel,
    /// B was read seven times over, and the last panel's scalar copy alone took 6.7 µs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows(float* src, long stride, int kc, int nc, float* dst)
    {
        int full = nc / NR;
        int tail = nc - (full * NR);
        long panelSize = (long)kc * NR;
        var lane = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        var lowMask = Vector256.LessThan(lane, Vector256.Create((float)tail));
        var highMask = Vector256.LessThan(lane, Vector256.Create((float)(tail - 8)));
        float* tailPanel = dst + (full * panelSize);
        for (int p = 0; p < kc; p++)
        {
            float* from = src + (p * stride);
            float* to = dst + (p * NR);
            for (int q = 0; q < full; q++)
            {
                Vector256.Load(from + (q * NR)).Store(to + (q * panelSize));
                Vector256.Load(from + (q * NR) + 8).Store(to + (q * panelSize) + 8);
            }

            if (tail > 0)
            {
                float* edge = from + (full * NR);
                Avx.MaskLoad(edge, lowMask).Store(tailPanel + (p * NR));
                Avx.MaskLoad(edge + 8, highMask).Store(tailPanel + (p * NR) + 8);
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8×8 block whose row r is <c>src[r·srcStride .. +8)</c> to rows
    /// <c>dst[c·dstStride .. +8)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, long srcStride, float* dst, int dstStride) =>
        TransposeStore(
            Avx.LoadVector256(src), Avx.LoadVector256(src + srcStride),
            Avx.LoadVector256(src + (2 * srcStride)), Avx.LoadVector256(src + (3 * srcStride)),
            Avx.LoadVector256(src + (4 * srcStride)), Avx.LoadVector256(src + (5 * srcStride)),
            Avx.LoadVector256(src + (6 * srcStride)), Avx.LoadVector256(src + (7 * srcStride)),
            dst, dstStride);

    /// <summary>
    /// Stores column c of the 8×8 block with rows <paramref name="r0"/>…<paramref name="r7"/> at
    /// <c>dst + c·dstStride</c>, columns in order (so with dstStride below 8 each store's tail is overwritten by
    /// the next): pairs of rows interleaved, then pairs of pairs, then the 128-bit halves exchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeStore(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, int dstStride)
    {
        // Within each 128-bit half: t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3 (rows a, b = r0, r1), and so on.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);

        // Within each half: column c of rows 0–3 (from t0..t3) and of rows 4–7 (from t4..t7).
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Low halves hold columns 0–3, high halves columns 4–7: join rows 0–3 with rows 4–7.
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + (2 * dstStride), Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + (3 * dstStride), Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + (4 * dstStride), Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + (5 * dstStride), Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + (6 * dstStride), Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + (7 * dstStride), Avx.Permute2x128(s3, s7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Naive(float* a, int sAi, int sAp, float* b, int sBp, int sBj, float* c, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += a[((long)i * sAi) + ((long)p * sAp)] * b[((long)p * sBp) + ((long)j * sBj)];
                }

                c[((long)i * n) + j] = sum;
            }
        }
    }
}
