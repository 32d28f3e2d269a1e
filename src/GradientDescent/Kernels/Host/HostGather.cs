using ILGPU;

namespace GradientDescent.Kernels.Host;

/// <summary>Host version of the row gather: one block copy per row.</summary>
internal static class HostGather
{
    internal static void Rows(Tensor x, Labels? xLabels, ArrayView<int> index, int count, Tensor y, Labels? yLabels)
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
}
