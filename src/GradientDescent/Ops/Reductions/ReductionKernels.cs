using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>Reductions: total (sum and mean), column sums (bias gradients), argmax and correct-prediction flags.</summary>
/// <remarks>All are deterministic: a fixed summation order, no atomics, so a run repeats bit for bit.</remarks>
internal static partial class ReductionKernels
{
    /// <summary>y[0] = scale·Σᵢ x[i]. x is (n), y is (1). One group: the totals reduced here are small (losses, flags).</summary>
    internal static void Total(Tensor x, Tensor y, float scale)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostTotal(x, y, scale);
            return;
        }

        launch.Run(LaunchShape.OneGroup(), TotalKernel, x.View, y.View, x.Length, scale);
    }

    /// <summary>y[j] = Σᵣ x[r, j] (the bias gradient). x is (rows, cols), y is (cols).</summary>
    internal static void ColumnSum(Tensor x, Tensor y)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostColumnSum(x, y);
            return;
        }

        launch.Run(LaunchShape.Elements(x.ColumnCount), ColumnSumKernel, x.View, y.View, x.RowCount, x.ColumnCount);
    }

    /// <summary>For each row r, the first j maximising x[r, j], returned in a host array. x is (rows, cols); the result has rows entries.</summary>
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
            launch.Run(LaunchShape.Elements(x.RowCount), ArgMaxKernel, x.View, view, x.RowCount, x.ColumnCount);
            view.CopyToCPU(index);
        }
        finally
        {
            scratch.Free();
        }

        return index;
    }

    /// <summary>correct[r] = 1 when argmax(x[r]) = label[r], else 0. x is (rows, cols), labels and correct are (rows).</summary>
    internal static void Correct(Tensor x, Labels labels, Tensor correct)
    {
        using var launch = correct.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostCorrect(x, labels, correct);
            return;
        }

        launch.Run(LaunchShape.Elements(x.RowCount), CorrectKernel, x.View, labels.View, correct.View, x.RowCount, x.ColumnCount);
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

    private static void ColumnSumKernel(ArrayView<float> x, ArrayView<float> y, int rows, int cols)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int j = Grid.GlobalIndex.X; j < cols; j += stride)
        {
            float sum = 0f;
            for (int r = 0; r < rows; r++)
            {
                sum += x[(r * cols) + j];
            }

            y[j] = sum;
        }
    }

    private static int RowArgMax(ArrayView<float> x, int start, int cols)
    {
        int best = 0;
        float bestValue = x[start];
        for (int j = 1; j < cols; j++)
        {
            float v = x[start + j];
            if (v > bestValue)
            {
                best = j;
                bestValue = v;
            }
        }

        return best;
    }

    private static void ArgMaxKernel(ArrayView<float> x, ArrayView<int> index, int rows, int cols)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            index[r] = RowArgMax(x, r * cols, cols);
        }
    }

    private static void CorrectKernel(ArrayView<float> x, ArrayView<int> labels, ArrayView<float> correct, int rows, int cols)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            correct[r] = RowArgMax(x, r * cols, cols) == labels[r] ? 1f : 0f;
        }
    }
}
