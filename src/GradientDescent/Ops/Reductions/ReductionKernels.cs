using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Reductions: the total of a vector, row and column reductions of a matrix (sums, maxima), the argmax of
/// each row and correct-prediction flags.
/// </summary>
/// <remarks>
/// All are deterministic: a fixed order of combination, no atomics, so a run repeats bit for bit. On a GPU
/// every reduction spreads over a group's threads and combines through shared memory: a row per group for
/// row reductions and argmax (reads along the row, coalesced), 32 columns × 8 row lanes per group for column
/// reductions (each warp reads 32 adjacent floats of a row).
/// </remarks>
internal static partial class ReductionKernels
{
    /// <summary>Columns a column-reduction group covers; its threads split the rows in lanes.</summary>
    private const int ColumnTile = 32;

    /// <summary>The most elements <see cref="Total"/> sums in one group, in one launch (a loss, a batch's flags).</summary>
    internal const int OneGroupTotal = 1 << 16;

    /// <summary>Elements per partial sum of a larger total: 64 per thread of a 256-thread group.</summary>
    internal const int TotalChunk = 1 << 14;

    /// <summary>
    /// y[0] = scale·Σᵢ x[i]. x is (n), y is (1). Up to <see cref="OneGroupTotal"/> elements, one group; beyond, the
    /// sums of consecutive <see cref="TotalChunk"/>-element chunks, a group each, then one group over those.
    /// </summary>
    /// <remarks>
    /// One group is one multiprocessor: fine for the totals a step takes (a batch of losses), but a sum of a 4096×4096
    /// tensor would read 64 MB through one of an H200's 132. The chunks depend only on n, so the bits repeat.
    /// </remarks>
    internal static void Total(Tensor x, Tensor y, float scale)
    {
        if (y.Device.UsesHostKernels)
        {
            using var host = y.Device.Kernels.Begin();
            HostTotal(x, y, scale);
            return;
        }

        if (x.Length <= OneGroupTotal)
        {
            using var launch = y.Device.Kernels.Begin();
            launch.Run(LaunchShape.OneGroup(), TotalKernel, x.View, y.View, x.Length, scale);
            return;
        }

        int chunks = (int)((x.Length + (long)TotalChunk - 1) / TotalChunk);
        // Allocated before the launch reads any view (see DeviceMemory); freed once both launches are queued.
        using var partials = Tensor.Uninitialized(y.Device, [chunks]);
        using (var launch = y.Device.Kernels.Begin())
        {
            launch.Run(LaunchShape.Tiles(chunks, LaunchShape.MaxRowGroup), ChunkSumsKernel, x.View, partials.View, x.Length, TotalChunk);
            launch.Run(LaunchShape.OneGroup(), TotalKernel, partials.View, y.View, chunks, scale);
        }
    }

    /// <summary>y[r] = reduce over j of x[r, j]. x is (rows, cols), y is (rows).</summary>
    internal static void Rows<TReduction>(Tensor x, Tensor y, int rows, int cols)
        where TReduction : struct, IReduction
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostRows<TReduction>(x, y, rows, cols);
            return;
        }

        launch.Run(LaunchShape.Rows(rows, cols), RowsKernel<TReduction>, x.View, y.View, rows, cols);
    }

    /// <summary>y[j] = reduce over r of x[r, j]. x is (rows, cols), y is (cols).</summary>
    internal static void Columns<TReduction>(Tensor x, Tensor y, int rows, int cols)
        where TReduction : struct, IReduction
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostColumns<TReduction>(x, y, rows, cols);
            return;
        }

        int tiles = (cols + ColumnTile - 1) / ColumnTile;
        launch.Run(LaunchShape.Tiles(tiles, LaunchShape.MaxRowGroup), ColumnsKernel<TReduction>, x.View, y.View, rows, cols);
    }

    /// <summary>y[j] = Σᵣ x[r, j] (the bias gradient). x is (rows, cols), y is (cols).</summary>
    internal static void ColumnSum(Tensor x, Tensor y) => Columns<SumReduction>(x, y, x.RowCount, x.ColumnCount);

    /// <summary>For each row r, the first j maximising x[r, j] (NaN above every number), in a host array. x is (rows, cols).</summary>
    internal static int[] ArgMax(Tensor x)
    {
        var index = new int[x.RowCount];
        if (x.Device.UsesHostKernels)
        {
            // Host kernels write straight into host memory: no device buffer needed.
            using var host = x.Device.Kernels.Begin();
            HostArgMax(x, index);
            return index;
        }

        // The device's counted allocator, so AllocatedBytes sees this scratch while it exists and a
        // device disposed meanwhile still frees it.
        var scratch = x.Device.Memory.Allocate<int>(index.Length);
        try
        {
            using var launch = x.Device.Kernels.Begin();
            var view = scratch.IntView(index.Length);
            launch.Run(LaunchShape.Rows(x.RowCount, x.ColumnCount), ArgMaxKernel, x.View, view, x.RowCount, x.ColumnCount);
            view.CopyToCPU(index);
        }
        finally
        {
            scratch.Free();
        }

        return index;
    }

    /// <summary>
    /// correct[r] = 1 when argmax(x[r]) = label[r] and that logit is a number, else 0 (a row with a NaN, which wins
    /// the argmax, is never correct). x is (rows, cols), labels and correct are (rows).
    /// </summary>
    internal static void Correct(Tensor x, Labels labels, Tensor correct)
    {
        using var launch = correct.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostCorrect(x, labels, correct);
            return;
        }

        launch.Run(LaunchShape.Rows(x.RowCount, x.ColumnCount), CorrectKernel,
            x.View, labels.View, correct.View, x.RowCount, x.ColumnCount);
    }

    private static void TotalKernel(ArrayView<float> x, ArrayView<float> y, int n, float scale)
    {
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        float partial = 0f;
        for (int i = thread; i < n; i += groupSize)
        {
            partial += x[i];
        }

        float total = GroupReduce.Sum(scratch, partial, thread, groupSize);
        if (thread == 0)
        {
            y[0] = scale * total;
        }
    }

    /// <summary>
    /// partials[c] = Σ x[c·chunk .. min(n, (c+1)·chunk)): a group per chunk (chunks in a grid-stride loop), its
    /// threads striding through the chunk (coalesced), then a shared-memory tree. x is (n), partials (⌈n / chunk⌉).
    /// </summary>
    private static void ChunkSumsKernel(ArrayView<float> x, ArrayView<float> partials, int n, int chunk)
    {
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int chunks = (int)((n + (long)chunk - 1) / chunk);
        int gridStride = Grid.DimX;
        for (int c = Grid.IdxX; c < chunks; c += gridStride)
        {
            // c·chunk < n, so these stay within int.
            int start = c * chunk;
            int length = n - start < chunk ? n - start : chunk;
            float partial = 0f;
            for (int i = thread; i < length; i += groupSize)
            {
                partial += x[start + i];
            }

            float total = GroupReduce.Sum(scratch, partial, thread, groupSize);
            if (thread == 0)
            {
                partials[c] = total;
            }
        }
    }

    private static void RowsKernel<TReduction>(ArrayView<float> x, ArrayView<float> y, int rows, int cols)
        where TReduction : struct, IReduction
    {
        TReduction reduction = default;
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int start = row * cols;
            float partial = reduction.Identity;
            for (int j = thread; j < cols; j += groupSize)
            {
                partial = reduction.Combine(partial, x[start + j]);
            }

            float result = GroupReduce.Reduce<TReduction>(scratch, partial, thread, groupSize);
            if (thread == 0)
            {
                y[row] = result;
            }
        }
    }

    /// <summary>
    /// A group covers <see cref="ColumnTile"/> adjacent columns (fewer when the group is smaller, as on the CPU
    /// emulator); its threads form lanes that take every lanes-th row, then the lanes combine in shared memory.
    /// </summary>
    private static void ColumnsKernel<TReduction>(ArrayView<float> x, ArrayView<float> y, int rows, int cols)
        where TReduction : struct, IReduction
    {
        TReduction reduction = default;
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int width = groupSize < ColumnTile ? groupSize : ColumnTile;
        int lanes = groupSize / width;
        int column = thread % width;
        int lane = thread / width;
        int tiles = (cols + width - 1) / width;
        int gridStride = Grid.DimX;
        for (int tile = Grid.IdxX; tile < tiles; tile += gridStride)
        {
            int j = (tile * width) + column;
            float partial = reduction.Identity;
            for (int r = lane; r < rows && j < cols; r += lanes)
            {
                partial = reduction.Combine(partial, x[(r * cols) + j]);
            }

            scratch[thread] = partial;
            Group.Barrier();
            for (int half = lanes / 2; half > 0; half /= 2)
            {
                if (lane < half)
                {
                    scratch[thread] = reduction.Combine(scratch[thread], scratch[thread + (half * width)]);
                }

                Group.Barrier();
            }

            if (lane == 0 && j < cols)
            {
                y[j] = scratch[column];
            }

            Group.Barrier();
        }
    }

    private static int RowArgMax(ArrayView<float> x, int start, int cols, ArrayView<float> values, ArrayView<int> indices, int thread, int groupSize)
    {
        float best = float.NegativeInfinity;
        int bestIndex = cols;
        for (int j = thread; j < cols; j += groupSize)
        {
            float v = x[start + j];
            if (ArgMaxOrder.Better(v, j, best, bestIndex))
            {
                best = v;
                bestIndex = j;
            }
        }

        return GroupReduce.ArgMax(values, indices, best, bestIndex, thread, groupSize);
    }

    private static void ArgMaxKernel(ArrayView<float> x, ArrayView<int> index, int rows, int cols)
    {
        var values = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        var indices = SharedMemory.Allocate<int>(LaunchShape.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int best = RowArgMax(x, row * cols, cols, values, indices, thread, groupSize);
            if (thread == 0)
            {
                index[row] = best;
            }
        }
    }

    private static void CorrectKernel(ArrayView<float> x, ArrayView<int> labels, ArrayView<float> correct, int rows, int cols)
    {
        var values = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        var indices = SharedMemory.Allocate<int>(LaunchShape.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int best = RowArgMax(x, row * cols, cols, values, indices, thread, groupSize);
            if (thread == 0)
            {
                // NaN wins the argmax, so a row holding one predicts a NaN: never correct.
                correct[row] = best == labels[row] && !XMath.IsNaN(x[(row * cols) + best]) ? 1f : 0f;
            }
        }
    }
}
