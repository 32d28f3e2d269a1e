using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>Bias add with an optional fused ReLU, and the ReLU backward.</summary>
internal static partial class ReluKernels
{
    /// <summary>y = x + b (broadcast over rows), then max(·, 0) when <paramref name="relu"/>. x, y are (rows, cols), b is (cols) or null; y may be x.</summary>
    internal static void Forward(Tensor x, Tensor? b, Tensor y, bool relu)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostForward(x, b, y, relu);
            return;
        }

        // Without a bias, the kernel reads x itself as a dummy bias view and never touches it (hasBias = 0).
        launch.Run(LaunchShape.Elements(y.Length), ForwardKernel,
            x.View, (b ?? x).View, y.View, y.Length, x.ColumnCount, b is null ? 0 : 1, relu ? 1 : 0);
    }

    /// <summary>dx = dy where y &gt; 0, else 0. All (n); dx may alias dy.</summary>
    internal static void Backward(Tensor dy, Tensor y, Tensor dx)
    {
        using var launch = dx.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostBackward(dy, y, dx);
            return;
        }

        launch.Run(LaunchShape.Elements(dx.Length), BackwardKernel, dy.View, y.View, dx.View, dx.Length);
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

    private static void BackwardKernel(ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }
}
