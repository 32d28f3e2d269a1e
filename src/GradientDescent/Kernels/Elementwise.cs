using ILGPU;
using GradientDescent.Kernels.Host;
using ILGPU.Runtime;

namespace GradientDescent.Kernels;

/// <summary>Elementwise kernels: fill, scale, <c>y = a + alpha·b</c>, and broadcasting a device scalar.</summary>
internal static class Elementwise
{
    /// <summary>y[i] = value. y is (n).</summary>
    internal static void Fill(Tensor y, float value)
    {
        using var scope = y.Device.Lock();
        if (y.Device.UsesHostKernels)
        {
            HostElementwise.Fill(y, value);
            return;
        }

        var launch = y.Device.Kernel(FillKernel,
            a => a.LoadStreamKernel<ArrayView<float>, float, int>(FillKernel));
        launch(Launch.GridStride(y.Device, y.Length), y.View, value, y.Length);
    }

    /// <summary>y = s·x. x and y are (n); y may be x.</summary>
    internal static void Scale(Tensor x, float s, Tensor y)
    {
        using var scope = y.Device.Lock();
        if (y.Device.UsesHostKernels)
        {
            HostElementwise.Scale(x, s, y);
            return;
        }

        var launch = y.Device.Kernel(ScaleKernel,
            a => a.LoadStreamKernel<ArrayView<float>, float, ArrayView<float>, int>(ScaleKernel));
        launch(Launch.GridStride(y.Device, y.Length), x.View, s, y.View, y.Length);
    }

    /// <summary>y = a + alpha·b. a, b, y are (n); y may alias a or b.</summary>
    internal static void AddScaled(Tensor a, float alpha, Tensor b, Tensor y)
    {
        using var scope = y.Device.Lock();
        if (y.Device.UsesHostKernels)
        {
            HostElementwise.AddScaled(a, alpha, b, y);
            return;
        }

        var launch = y.Device.Kernel(AddScaledKernel,
            acc => acc.LoadStreamKernel<ArrayView<float>, float, ArrayView<float>, ArrayView<float>, int>(AddScaledKernel));
        launch(Launch.GridStride(y.Device, y.Length), a.View, alpha, b.View, y.View, y.Length);
    }

    /// <summary>y[i] = factor · s[0]: the backward of a sum or mean. s is (1), y is (n).</summary>
    internal static void BroadcastScalar(Tensor s, float factor, Tensor y)
    {
        using var scope = y.Device.Lock();
        if (y.Device.UsesHostKernels)
        {
            HostElementwise.BroadcastScalar(s, factor, y);
            return;
        }

        var launch = y.Device.Kernel(BroadcastScalarKernel,
            a => a.LoadStreamKernel<ArrayView<float>, float, ArrayView<float>, int>(BroadcastScalarKernel));
        launch(Launch.GridStride(y.Device, y.Length), s.View, factor, y.View, y.Length);
    }

    private static void FillKernel(ArrayView<float> y, float value, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = value;
        }
    }

    private static void ScaleKernel(ArrayView<float> x, float s, ArrayView<float> y, int n)
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
}
