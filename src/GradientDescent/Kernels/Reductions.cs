using ILGPU;
using GradientDescent.Kernels.Host;
using ILGPU.Runtime;

namespace GradientDescent.Kernels;

/// <summary>Reductions: total (sum and mean), column sums (bias gradients), argmax and correct-prediction flags.</summary>
/// <remarks>All are deterministic: a fixed summation order, no atomics, so a run repeats bit for bit.</remarks>
internal static class Reductions
{
    /// <summary>y[0] = scale·Σᵢ x[i]. x is (n), y is (1). One group: the totals reduced here are small (losses, flags).</summary>
    internal static void Total(Tensor x, Tensor y, float scale)
    {
        using var scope = y.Device.Lock();
        if (x.Device.UsesHostKernels)
        {
            HostReductions.Total(x, y, scale);
            return;
        }

        var device = x.Device;
        var launch = device.Kernel(TotalKernel, a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, float>(TotalKernel));
        int group = device.IsCpu ? 1 : Launch.MaxRowGroup;
        launch(new KernelConfig(1, group), x.View, y.View, x.Length, scale);
    }

    /// <summary>y[j] = Σᵣ x[r, j] (the bias gradient). x is (rows, cols), y is (cols).</summary>
    internal static void ColumnSum(Tensor x, Tensor y)
    {
        using var scope = y.Device.Lock();
        if (x.Device.UsesHostKernels)
        {
            HostReductions.ColumnSum(x, y);
            return;
        }

        var device = x.Device;
        var launch = device.Kernel(ColumnSumKernel, a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int>(ColumnSumKernel));
        launch(Launch.GridStride(device, x.ColumnCount), x.View, y.View, x.RowCount, x.ColumnCount);
    }

    /// <summary>For each row r, the first j maximising x[r, j], returned in a host array. x is (rows, cols); the result has rows entries.</summary>
    internal static int[] ArgMax(Tensor x)
    {
        using var scope = x.Device.Lock();
        var index = new int[x.RowCount];
        if (x.Device.UsesHostKernels)
        {
            // Host kernels write straight into host memory: no device buffer needed.
            HostReductions.ArgMax(x, index);
            return index;
        }

        // The device's counted allocator, so AllocatedBytes sees this scratch while it exists and a
        // device disposed meanwhile still frees it.
        var device = x.Device;
        var scratch = device.Allocate<int>(index.Length);
        try
        {
            var view = scratch.IntView(index.Length);
            var launch = device.Kernel(ArgMaxKernel, a => a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, int, int>(ArgMaxKernel));
            launch(Launch.GridStride(device, x.RowCount), x.View, view, x.RowCount, x.ColumnCount);
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
        using var scope = correct.Device.Lock();
        if (x.Device.UsesHostKernels)
        {
            HostReductions.Correct(x, labels, correct);
            return;
        }

        var device = x.Device;
        var launch = device.Kernel(CorrectKernel,
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(CorrectKernel));
        launch(Launch.GridStride(device, x.RowCount), x.View, labels.View, correct.View, x.RowCount, x.ColumnCount);
    }

    private static void TotalKernel(ArrayView<float> x, ArrayView<float> y, int n, float scale)
    {
        var scratch = SharedMemory.Allocate<float>(Launch.MaxRowGroup);
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
