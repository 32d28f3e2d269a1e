// A leaky ReLU written as a user adds an operation: two ILGPU kernels and a CustomOp (docs/custom-ops.md).
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using GradientDescent;
using ILGPU;

namespace CustomKernel;

/// <summary><c>y = x</c> where x &gt; 0, else <c>slope·x</c>, elementwise, on any device, recorded on the tape.</summary>
public static class LeakyRelu
{
    /// <summary>The negative side's slope when none is given.</summary>
    public const float DefaultSlope = 0.01f;

    /// <summary>y = leaky_relu(x); x any shape. Backward: dx = g where x &gt; 0, else slope·g.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="slope">In [0, 1).</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    public static Tensor Apply(Tensor x, float slope = DefaultSlope)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slope);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slope, 1f);
        return new CustomOp("LeakyRelu")
            .Forward((launch, y) =>
            {
                if (launch.OnHost)   // optional: a SIMD version for the CPU; max(x, slope·x) since slope < 1
                {
                    TensorPrimitives.Multiply(launch.Span(x), slope, launch.Span(y));
                    TensorPrimitives.Max(launch.Span(x), launch.Span(y), launch.Span(y));
                    return;
                }

                launch.Run(LaunchShape.Elements(y.Length), ForwardKernel, launch.View(x), launch.View(y), slope, y.Length);
            })
            .Backward((g, _) => [Gradient(x, g, slope)], CustomOpSaves.Inputs)
            .Apply(x.Shape, x);
    }

    /// <summary>dx = g where x &gt; 0, else slope·g: its own kernel, a forward-only op (on the CPU host path it runs in ILGPU's CPU accelerator).</summary>
    internal static Tensor Gradient(Tensor x, Tensor g, float slope) => new CustomOp("LeakyReluGradient")
        .Forward((launch, dx) => launch.Run(LaunchShape.Elements(dx.Length), BackwardKernel, launch.View(x), launch.View(g), launch.View(dx), slope, dx.Length))
        .Apply(x.Shape, x, g);

    private static void ForwardKernel(ArrayView<float> x, ArrayView<float> y, float slope, int n)
    {
        int stride = Grid.DimX * Group.DimX;   // a grid-stride loop, the grid sized by LaunchShape
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = x[i] > 0f ? x[i] : slope * x[i];
        }
    }

    private static void BackwardKernel(ArrayView<float> x, ArrayView<float> g, ArrayView<float> dx, float slope, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            dx[i] = x[i] > 0f ? g[i] : slope * g[i];
        }
    }
}
