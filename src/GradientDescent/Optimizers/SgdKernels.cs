using System.Numerics.Tensors;
using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>The gradient-descent updates: plain <c>w -= lr · dw</c>, and with momentum, Nesterov and weight decay.</summary>
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

    /// <summary>
    /// PyTorch's <c>torch.optim.SGD</c> step for every element, in one launch: d = g + λw; the velocity
    /// v = d on the first step, else μv + (1 − τ)d; then w −= lr·(d + μv) with Nesterov, else lr·v.
    /// w, g and v are (n); v is updated in place.
    /// </summary>
    internal static void MomentumUpdate(Tensor w, Tensor g, Tensor v, SgdSettings settings, bool first)
    {
        using var launch = w.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostParallel.Chunks(w.Length, (from, length) =>
            {
                var weights = HostMemory.Span(w).Slice(from, length);
                var gradients = HostMemory.Span(g).Slice(from, length);
                var velocity = HostMemory.Span(v).Slice(from, length);
                for (int i = 0; i < length; i++)
                {
                    var next = Step(weights[i], gradients[i], velocity[i], settings, first);
                    weights[i] = next.Weight;
                    velocity[i] = next.Velocity;
                }
            });
            return;
        }

        launch.Run(LaunchShape.Elements(w.Length), MomentumKernel, w.View, g.View, v.View, settings, first ? 1 : 0, w.Length);
    }

    private static void UpdateKernel(ArrayView<float> w, ArrayView<float> g, float learningRate, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            w[i] -= learningRate * g[i];
        }
    }

    private static void MomentumKernel(ArrayView<float> w, ArrayView<float> g, ArrayView<float> v, SgdSettings settings, int first, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            var next = Step(w[i], g[i], v[i], settings, first != 0);
            w[i] = next.Weight;
            v[i] = next.Velocity;
        }
    }

    /// <summary>One element of the step; the same arithmetic, in the same order, on the device and the host.</summary>
    private static StepResult Step(float w, float g, float v, SgdSettings settings, bool first)
    {
        float d = g + (settings.WeightDecay * w);
        float velocity = first ? d : (settings.Momentum * v) + ((1f - settings.Dampening) * d);
        float step = settings.Nesterov != 0 ? d + (settings.Momentum * velocity) : velocity;
        return new StepResult(w - (settings.LearningRate * step), velocity);
    }

    private readonly struct StepResult(float weight, float velocity)
    {
        internal readonly float Weight = weight;
        internal readonly float Velocity = velocity;
    }
}

/// <summary>The constants of one SGD step, passed to the kernel as one value.</summary>
internal readonly struct SgdSettings(float learningRate, float momentum, float dampening, float weightDecay, bool nesterov)
{
    internal readonly float LearningRate = learningRate;
    internal readonly float Momentum = momentum;
    internal readonly float Dampening = dampening;
    internal readonly float WeightDecay = weightDecay;
    internal readonly int Nesterov = nesterov ? 1 : 0;
}
