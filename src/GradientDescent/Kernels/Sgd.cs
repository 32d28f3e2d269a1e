using ILGPU;
using GradientDescent.Kernels.Host;
using ILGPU.Runtime;

namespace GradientDescent.Kernels;

/// <summary>The gradient-descent update <c>w -= lr · dw</c>.</summary>
internal static class Sgd
{
    /// <summary>w[i] -= lr · g[i]. w and g are (n). One launch covers every parameter held in one buffer.</summary>
    internal static void Update(Tensor w, Tensor g, float learningRate)
    {
        using var scope = w.Device.Lock();
        if (w.Device.UsesHostKernels)
        {
            HostElementwise.Sgd(w, g, learningRate);
            return;
        }

        var launch = w.Device.Kernel(UpdateKernel,
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, float, int>(UpdateKernel));
        launch(Launch.GridStride(w.Device, w.Length), w.View, g.View, learningRate, w.Length);
    }

    private static void UpdateKernel(ArrayView<float> w, ArrayView<float> g, float learningRate, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            w[i] -= learningRate * g[i];
        }
    }
}
