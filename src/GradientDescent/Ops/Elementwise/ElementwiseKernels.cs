using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>Elementwise kernels: fill, scale, <c>y = a + alpha·b</c>, broadcasting a device scalar, and scaling rows.</summary>
internal static partial class ElementwiseKernels
{
    /// <summary>y[i] = value. y is (n).</summary>
    internal static void Fill(Tensor y, float value)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostFill(y, value);
            return;
        }

        launch.Run(LaunchShape.Elements(y.Length), FillKernel, y.View, value, y.Length);
    }

    /// <summary>y = s·x. x and y are (n); y may be x.</summary>
    internal static void Scale(Tensor x, float s, Tensor y)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostScale(x, s, y);
            return;
        }

        launch.Run(LaunchShape.Elements(y.Length), ScaleKernel, x.View, s, y.View, y.Length);
    }

    /// <summary>y = a + alpha·b. a, b, y are (n); y may alias a or b.</summary>
    internal static void AddScaled(Tensor a, float alpha, Tensor b, Tensor y)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostAddScaled(a, alpha, b, y);
            return;
        }

        launch.Run(LaunchShape.Elements(y.Length), AddScaledKernel, a.View, alpha, b.View, y.View, y.Length);
    }

    /// <summary>y[i] = factor · s[0]: the backward of a sum or mean. s is (1), y is (n).</summary>
    internal static void BroadcastScalar(Tensor s, float factor, Tensor y)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostBroadcastScalar(s, factor, y);
            return;
        }

        launch.Run(LaunchShape.Elements(y.Length), BroadcastScalarKernel, s.View, factor, y.View, y.Length);
    }

    /// <summary>y[r, j] = g[r]·x[r, j]. x and y are (rows, cols), g is (rows); y may be x.</summary>
    internal static void ScaleRows(Tensor x, Tensor g, Tensor y)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostScaleRows(x, g, y);
            return;
        }

        launch.Run(LaunchShape.Elements(x.Length), ScaleRowsKernel, x.View, g.View, y.View, x.Length, x.ColumnCount);
    }

    private static void FillKernel(ArrayView<float> y, float value, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = value;
        }
    }

    internal static void ScaleKernel(ArrayView<float> x, float s, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = s * x[i];
        }
    }

    private static void AddScaledKernel(ArrayView<float> a, float alpha, ArrayView<float> b, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = a[i] + (alpha * b[i]);
        }
    }

    private static void BroadcastScalarKernel(ArrayView<float> s, float factor, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        float value = factor * s[0];
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = value;
        }
    }

    private static void ScaleRowsKernel(ArrayView<float> x, ArrayView<float> g, ArrayView<float> y, int n, int cols)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = g[i / cols] * x[i];
        }
    }
}
