using System.Numerics.Tensors;
using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>The gradient-descent update <c>w -= lr · dw</c>.</summary>
internal static class SgdKernels
{
    /// <summary>w[i] -= lr · g[i]. w and g are (n). One launch covers every parameter held in one buffer.</summary>
    internal static void Update(Tensor w, Tensor g, float learningRate)
    {
        using var launch = w.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostParallel.Chunks(w.Length, (from, length) =>
            {
                var weights = HostMemory.Span(w).Slice(from, length);
                TensorPrimitives.MultiplyAdd(HostMemory.Span(g).Slice(from, length), -learningRate, weights, weights);
            });
            return;
        }

        launch.Run(LaunchShape.Elements(w.Length), UpdateKernel, w.View, g.View, learningRate, w.Length);
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
