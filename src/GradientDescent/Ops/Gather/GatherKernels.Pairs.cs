using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Element gathers and their scatters: chosen (row, column) pairs, each row's entry at its label, and the
/// one-hot rows of labels. Indices are checked on the host before any launch (an out-of-range read kills the CPU
/// emulator); the scatter of a pair gather sums the gradients of repeated pairs in a fixed order.
/// </summary>
internal static partial class GatherKernels
{
    /// <summary>y[i] = x[flat[i]]. x is any shape, flat and y are (k).</summary>
    internal static void Elements(Tensor x, int[] flat, Tensor y)
    {
        var index = UploadIndices(x.Device, flat);
        try
        {
            using var launch = y.Device.Kernels.Begin();
            var view = index.IntView(flat.Length);
            if (launch.OnHost)
            {
                var source = HostMemory.Span(x);
                var target = HostMemory.Span(y);
                for (int i = 0; i < flat.Length; i++)
                {
                    target[i] = source[flat[i]];
                }

                return;
            }

            launch.Run(LaunchShape.Elements(flat.Length), ElementsKernel, x.View, view, y.View, flat.Length);
        }
        finally
        {
            index.Free();
        }
    }

    /// <summary>
    /// dx = 0 but dx[p] = Σ g[i] over the i with flat[i] = p, summed in increasing i. g is (k), dx any shape;
    /// <paramref name="plan"/> groups the i by position.
    /// </summary>
    internal static void ScatterElements(Tensor g, ScatterPlan plan, Tensor dx)
    {
        var buffer = UploadIndices(g.Device, [.. plan.Positions, .. plan.Starts, .. plan.Order]);
        try
        {
            using var launch = dx.Device.Kernels.Begin();
            dx.View.MemSetToZero();
            int u = plan.Positions.Length;
            if (launch.OnHost)
            {
                var grad = HostMemory.Span(g);
                var result = HostMemory.Span(dx);
                for (int p = 0; p < u; p++)
                {
                    float sum = 0f;
                    for (int j = plan.Starts[p]; j < plan.Starts[p + 1]; j++)
                    {
                        sum += grad[plan.Order[j]];
                    }

                    result[plan.Positions[p]] = sum;
                }

                return;
            }

            var all = buffer.IntView(u + u + 1 + plan.Order.Length);
            launch.Run(LaunchShape.Elements(u), ScatterElementsKernel,
                g.View, all.SubView(0, u), all.SubView(u, u + 1), all.SubView((2 * u) + 1, plan.Order.Length), dx.View, u);
        }
        finally
        {
            buffer.Free();
        }
    }

    /// <summary>y[r] = x[r, label[r]]. x is (rows, cols), y is (rows).</summary>
    internal static void AtLabels(Tensor x, Labels labels, Tensor y)
    {
        int rows = x.Shape[0], cols = x.Shape[1];
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            var source = HostMemory.Span(x);
            var target = HostMemory.Span(y);
            var label = HostMemory.Span(labels);
            for (int r = 0; r < rows; r++)
            {
                target[r] = source[(r * cols) + label[r]];
            }

            return;
        }

        launch.Run(LaunchShape.Elements(rows), AtLabelsKernel, x.View, labels.View, y.View, rows, cols);
    }

    /// <summary>
    /// y[r, j] = g[r] where j = label[r], else 0 (the scatter of <see cref="AtLabels"/>); with g null, 1 there
    /// (one-hot rows). y is (rows, cols), g is (rows).
    /// </summary>
    internal static void LabelMask(Labels labels, Tensor? g, Tensor y)
    {
        int rows = y.Shape[0], cols = y.Shape[1];
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            var target = HostMemory.Span(y);
            var label = HostMemory.Span(labels);
            ReadOnlySpan<float> grad = g is null ? default : HostMemory.Span(g);
            target.Clear();
            for (int r = 0; r < rows; r++)
            {
                target[(r * cols) + label[r]] = g is null ? 1f : grad[r];
            }

            return;
        }

        // Without g the kernel reads y itself as a dummy and never touches it (hasGradient = 0).
        launch.Run(LaunchShape.Elements((long)rows * cols), LabelMaskKernel, labels.View, (g ?? y).View, y.View, rows, cols, g is null ? 0 : 1);
    }

    private static DeviceBuffer UploadIndices(ComputeDevice device, int[] values)
    {
        var buffer = device.Memory.Allocate<int>(values.Length);
        try
        {
            using var scope = device.Lock();
            buffer.IntView(values.Length).CopyFromCPU(values);
            return buffer;
        }
        catch
        {
            buffer.Free();
            throw;
        }
    }

    private static void ElementsKernel(ArrayView<float> x, ArrayView<int> flat, ArrayView<float> y, int k)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < k; i += stride)
        {
            y[i] = x[flat[i]];
        }
    }

    private static void ScatterElementsKernel(
        ArrayView<float> g, ArrayView<int> positions, ArrayView<int> starts, ArrayView<int> order, ArrayView<float> dx, int unique)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int p = Grid.GlobalIndex.X; p < unique; p += stride)
        {
            float sum = 0f;
            for (int j = starts[p]; j < starts[p + 1]; j++)
            {
                sum += g[order[j]];
            }

            dx[positions[p]] = sum;
        }
    }

    private static void AtLabelsKernel(ArrayView<float> x, ArrayView<int> labels, ArrayView<float> y, int rows, int cols)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            y[r] = x[(r * cols) + labels[r]];
        }
    }

    private static void LabelMaskKernel(ArrayView<int> labels, ArrayView<float> g, ArrayView<float> y, int rows, int cols, int hasGradient)
    {
        int stride = Grid.DimX * Group.DimX;
        int n = rows * cols;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            int r = i / cols;
            y[i] = i - (r * cols) == labels[r] ? (hasGradient != 0 ? g[r] : 1f) : 0f;
        }
    }
}

/// <summary>
/// The positions a pair gather read, each with the outputs that read it: <see cref="Positions"/>[u] is read by
/// outputs <c>Order[Starts[u] .. Starts[u + 1])</c>, in increasing order, so the scatter sums repeats deterministically.
/// </summary>
internal sealed record ScatterPlan(int[] Positions, int[] Starts, int[] Order)
{
    internal static ScatterPlan Of(int[] flat)
    {
        var order = Enumerable.Range(0, flat.Length).OrderBy(i => flat[i]).ThenBy(i => i).ToArray();
        var positions = new List<int>();
        var starts = new List<int>();
        for (int j = 0; j < order.Length; j++)
        {
            if (j == 0 || flat[order[j]] != flat[order[j - 1]])
            {
                positions.Add(flat[order[j]]);
                starts.Add(j);
            }
        }

        starts.Add(order.Length);
        return new ScatterPlan([.. positions], [.. starts], order);
    }
}
