using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// C = op(A)·op(B) where op is identity or transpose, read through strides so no transpose is ever
/// materialised. op(A) is (m, k), op(B) is (k, n), C is (m, n), all row-major in storage.
/// </summary>
/// <remarks>
/// Three kinds of kernel with the same summation order over k: the register-blocked <see cref="GpuGemm"/> for
/// GPUs, the simpler 16×16 tiled kernel it replaced (kept to compare against), and a row-streaming
/// kernel for the CPU emulator, where the GPU kernels' barriers between OS threads cost more than the
/// arithmetic.
/// </remarks>
internal static partial class MatMulKernels
{
    /// <summary>Edge of the square tile a group of <c>Tile²</c> threads computes; a compile-time constant.</summary>
    internal const int Tile = 16;

    internal enum Variant
    {
        /// <summary>Host GEMM on the host CPU path, blocked on GPUs, row-streaming on the CPU emulator.</summary>
        Auto,

        /// <summary>One thread per row of C (<see cref="RowStreamingKernel"/>).</summary>
        RowStreaming,

        /// <summary>16×16 shared-memory tiles, one output per thread (<see cref="TiledKernel"/>): kept for comparison.</summary>
        Tiled,

        /// <summary>64×64 blocks, 8×8 outputs per thread, 128-bit loads, double-buffered (<see cref="GpuGemm"/>).</summary>
        Blocked,
    }

    /// <summary>C = op(A)·op(B). Shapes are checked by the caller.</summary>
    internal static void Forward(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, Variant variant = Variant.Auto)
    {
        int m = c.Shape[0], n = c.Shape[1];
        int k = transposeA ? a.Shape[0] : a.Shape[1];
        int sAi = transposeA ? 1 : k, sAp = transposeA ? m : 1;
        int sBp = transposeB ? 1 : n, sBj = transposeB ? k : 1;
        using var launch = c.Device.Kernels.Begin();
        if (launch.OnHost && variant == Variant.Auto)
        {
            HostMatMul(a, sAi, sAp, b, sBp, sBj, c, m, n, k);
            return;
        }

        var device = c.Device;
        if (variant == Variant.Auto)
        {
            variant = device.IsCpu ? Variant.RowStreaming : Variant.Blocked;
        }

        if (variant == Variant.Blocked)
        {
            GpuGemm.Multiply(device, a, transposeA, b, transposeB, c, m, n, k, sAi, sAp, sBp, sBj);
        }
        else if (variant == Variant.Tiled)
        {
            int tiles = ((m + Tile - 1) / Tile) * ((n + Tile - 1) / Tile);
            int groups = device.IsCpu ? Math.Min(tiles, device.Accelerator.NumMultiprocessors) : tiles;
            launch.Run(LaunchShape.Groups(groups, Tile * Tile), TiledKernel, a.View, b.View, c.View, m, n, k, sAi, sAp, sBp, sBj);
        }
        else
        {
            launch.Run(LaunchShape.Elements(m), RowStreamingKernel, a.View, b.View, c.View, m, n, k, sAi, sAp, sBp, sBj);
        }
    }

    private static unsafe void HostMatMul(Tensor a, int sAi, int sAp, Tensor b, int sBp, int sBj, Tensor c, int m, int n, int k) =>
        HostGemm.Multiply(HostMemory.Pointer(a), sAi, sAp, HostMemory.Pointer(b), sBp, sBj, HostMemory.Pointer(c), m, n, k);

    /// <summary>
    /// One group of Tile² threads per Tile×Tile block of C (blocks taken in a grid-stride loop). Each
    /// step stages a Tile×Tile slab of op(A) and of op(B) in shared memory, so every global element is
    /// read once per block instead of once per output; edges are padded with zeros.
    /// </summary>
    internal static void TiledKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        int m, int n, int k, int sAi, int sAp, int sBp, int sBj)
    {
        var aTile = SharedMemory.Allocate<float>(Tile * Tile);
        var bTile = SharedMemory.Allocate<float>(Tile * Tile);
        int thread = Group.IdxX;
        int tx = thread % Tile;
        int ty = thread / Tile;
        int tilesN = (n + Tile - 1) / Tile;
        int tiles = ((m + Tile - 1) / Tile) * tilesN;
        int gridStride = Grid.DimX;
        for (int t = Grid.IdxX; t < tiles; t += gridStride)
        {
            int row = ((t / tilesN) * Tile) + ty;
            int col = ((t % tilesN) * Tile) + tx;
            float sum = 0f;
            for (int p0 = 0; p0 < k; p0 += Tile)
            {
                int ap = p0 + tx;
                aTile[thread] = row < m && ap < k ? a[(row * sAi) + (ap * sAp)] : 0f;
                int bp = p0 + ty;
                bTile[thread] = bp < k && col < n ? b[(bp * sBp) + (col * sBj)] : 0f;
                Group.Barrier();
                for (int q = 0; q < Tile; q++)
                {
                    sum += aTile[(ty * Tile) + q] * bTile[(q * Tile) + tx];
                }

                Group.Barrier();
            }

            if (row < m && col < n)
            {
                c[(row * n) + col] = sum;
            }
        }
    }

    /// <summary>
    /// One thread per row of C: C[i, :] accumulates op(A)[i, p]·op(B)[p, :] for p = 0..k-1, streaming
    /// through op(B)'s rows. Same summation order as the tiled kernel, no barriers.
    /// </summary>
    internal static void RowStreamingKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        int m, int n, int k, int sAi, int sAp, int sBp, int sBj)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < m; i += stride)
        {
            int rowC = i * n;
            for (int j = 0; j < n; j++)
            {
                c[rowC + j] = 0f;
            }

            for (int p = 0; p < k; p++)
            {
                float av = a[(i * sAi) + (p * sAp)];
                int rowB = p * sBp;
                for (int j = 0; j < n; j++)
                {
                    c[rowC + j] += av * b[rowB + (j * sBj)];
                }
            }
        }
    }
}
