using ILGPU;
using GradientDescent.Kernels.Host;
using ILGPU.Runtime;

namespace GradientDescent.Kernels;

/// <summary>Bias add with optional fused ReLU, and the ReLU backward.</summary>
internal static class BiasRelu
{
    /// <summary>y = x + b (broadcast over rows), then max(·, 0) when <paramref name="relu"/>. x, y are (rows, cols), b is (cols).</summary>
    internal static void Forward(Tensor x, Tensor? b, Tensor y, bool relu)
    {
        using var scope = y.Device.Lock();
        if (y.Device.UsesHostKernels)
        {
            HostElementwise.BiasRelu(x, b, y, relu);
            return;
        }

        var launch = y.Device.Kernel(ForwardKernel,
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(ForwardKernel));
        // Without a bias, the kernel reads x itself as a dummy bias view and never touches it (hasBias = 0).
        launch(Launch.GridStride(y.Device, y.Length), x.View, (b ?? x).View, y.View, y.Length, x.ColumnCount, b is null ? 0 : 1, relu ? 1 : 0);
    }

    /// <summary>dx = dy where y &gt; 0, else 0. All (n); dx may alias dy.</summary>
    internal static void ReluBackward(Tensor dy, Tensor y, Tensor dx)
    {
        using var scope = dx.Device.Lock();
        if (dx.Device.UsesHostKernels)
        {
            HostElementwise.ReluBackward(dy, y, dx);
            return;
        }

        var launch = dx.Device.Kernel(ReluBackwardKernel,
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ReluBackwardKernel));
        launch(Launch.GridStride(dx.Device, dx.Length), dy.View, y.View, dx.View, dx.Length);
    }

    private static void ForwardKernel(
        ArrayView<float> x, ArrayView<float> b, ArrayView<float> y, int n, int columns, int hasBias, int relu)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            float v = x[i];
            if (hasBias != 0)
            {
                v += b[i % columns];
            }

            y[i] = relu != 0 && v < 0f ? 0f : v;
        }
    }

    private static void ReluBackwardKernel(ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }
}
