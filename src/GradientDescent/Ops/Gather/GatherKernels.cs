using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>Row gather <c>y[r] = x[index[r]]</c> (a shuffled mini-batch), with the labels gathered alongside.</summary>
internal static partial class GatherKernels
{
    /// <summary>
    /// y[r, j] = x[index[r], j] and, when given, yLabels[r] = xLabels[index[r]], for r &lt; count.
    /// x is (rows, cols), y is (count, cols), index is (≥ count). Every index must lie in 0..rows−1:
    /// the caller checks them on the host, because an out-of-range read kills the CPU emulator.
    /// </summary>
    internal static void Rows(Tensor x, Labels? xLabels, ArrayView<int> index, int count, Tensor y, Labels? yLabels)
    {
        using var launch = y.Device.Kernels.Begin();
        bool labels = xLabels is not null && yLabels is not null;
        if (launch.OnHost)
        {
            HostRows(x, labels ? xLabels : null, index, count, y, labels ? yLabels : null);
            return;
        }

        // Without labels the kernel gets the index view as a dummy for both label views and never touches them.
        launch.Run(LaunchShape.Elements((long)count * x.ColumnCount), RowsKernel,
            x.View, labels ? xLabels!.View : index, index, y.View, labels ? yLabels!.View : index,
            count, x.ColumnCount, labels ? 1 : 0);
    }

    private static void HostRows(Tensor x, Labels? xLabels, ArrayView<int> index, int count, Tensor y, Labels? yLabels)
    {
        var source = HostMemory.Span(x);
        var target = HostMemory.Span(y);
        var rows = HostMemory.Span(index);
        int cols = x.ColumnCount;
        for (int r = 0; r < count; r++)
        {
            source.Slice(rows[r] * cols, cols).CopyTo(target.Slice(r * cols, cols));
        }

        if (xLabels is not null && yLabels is not null)
        {
            var from = HostMemory.Span(xLabels);
            var to = HostMemory.Span(yLabels.View);
            for (int r = 0; r < count; r++)
            {
                to[r] = from[rows[r]];
            }
        }
    }

    private static void RowsKernel(
        ArrayView<float> x, ArrayView<int> xLabels, ArrayView<int> index, ArrayView<float> y, ArrayView<int> yLabels,
        int count, int cols, int hasLabels)
    {
        int stride = Grid.DimX * Group.DimX;
        int n = count * cols;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            int row = i / cols;
            int col = i - (row * cols);
            int source = index[row];
            y[i] = x[(source * cols) + col];
            if (hasLabels != 0 && col == 0)
            {
                yLabels[row] = xLabels[source];
            }
        }
    }
}
