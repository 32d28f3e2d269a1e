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
        var shape = GemmShape.Dense(m, n, k, transposeA, transposeB);
        using var launch = c.Device.Kernels.Begin();
        if (launch.OnHost && variant == Variant.Auto)
        {
            HostMatMul(a, shape.SAi, shape.SAp, b, shape.SBp, shape.SBj, c, m, n, k);
            return;
        }

        var device = c.Device;
        if (variant == Variant.Tiled)
        {
            int tiles = ((m + Tile - 1) / Tile) * ((n + Tile - 1) / Tile);
            int groups = device.IsCpu ? Math.Min(tiles, device.Accelerator.NumMultiprocessors) : tiles;
            launch.Run(LaunchShape.Groups(groups, Tile * Tile), TiledKernel, a.View, b.View, c.View, m, n, k,
                shape.SAi, shape.SAp, shape.SBp, shape.SBj);
            return;
        }

        Product(a, transposeA, b, transposeB, c, shape, default, variant);
    }

    /// <summary>
    /// C = op(A)·op(B) through the epilogue of <paramref name="options"/>, with any strides and row stride of C (the
    /// training step's padded activations): the blocked GEMM, or on the CPU emulator the row-streaming kernel, which
    /// takes the bias and ReLU but never splits k. <paramref name="variant"/> is <see cref="Variant.Auto"/>,
    /// <see cref="Variant.Blocked"/> or <see cref="Variant.RowStreaming"/>. Shapes are checked by the caller.
    /// </summary>
    internal static void Product(
        Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, GemmShape shape, GemmOptions options, Variant variant)
    {
        var device = c.Device;
        if (variant == Variant.Auto)
        {
            variant = device.IsCpu ? Variant.RowStreaming : Variant.Blocked;
        }

        if (variant == Variant.Blocked)
        {
            GpuGemm.Multiply(device, a, transposeA, b, transposeB, c, shape, options);
            return;
        }

        if (variant != Variant.RowStreaming)
        {
            throw new ArgumentOutOfRangeException(nameof(variant), variant, "Only the blocked and row-streaming kernels take an epilogue.");
        }

        var epilogue = new GemmEpilogue(options.Bias is null ? 0 : 1, options.Relu ? 1 : 0, 0, 1, shape.K);
        using var launch = device.Kernels.Begin();
        var cView = c.View;
        launch.Run(LaunchShape.Elements(shape.M), RowStreamingKernel, a.View, b.View, cView, options.Bias?.View ?? cView, shape, epilogue);
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
    /// through op(B)'s rows, then goes through the epilogue (bias, ReLU) in place. Same summation order as the
    /// tiled kernel, no barriers. C's rows are <see cref="GemmShape.Ldc"/> apart.
    /// </summary>
    internal static void RowStreamingKernel(
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, GemmShape shape, GemmEpilogue epilogue)
    {
        int m = shape.M, n = shape.N, k = shape.K;
        int sAi = shape.SAi, sAp = shape.SAp, sBp = shape.SBp, sBj = shape.SBj;
        int hasBias = epilogue.Bias, relu = epilogue.Relu;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < m; i += stride)
        {
            int rowC = i * shape.Ldc;
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

            for (int j = 0; j < n && (hasBias | relu) != 0; j++)
            {
                float v = c[rowC + j];
                if (hasBias != 0)
                {
                    v += bias[j];
                }

                c[rowC + j] = relu != 0 && v < 0f ? 0f : v;
            }
        }
    }
}
