using GradientDescent;

namespace CustomKernel;

/// <summary>
/// <c>leaky_relu(x·W1 + b1)·W2 + b2</c>, 784 → 100 → 10 by default, built from public ops and the custom
/// activation; trained through the tape like any other net.
/// </summary>
public sealed class LeakyReluNet : IDisposable
{
    /// <summary>He-initialised weights (N(0, 2/fan_in)) and zero biases, all trainable.</summary>
    /// <param name="device">Where the parameters live.</param>
    /// <param name="inputs">Features per example.</param>
    /// <param name="hidden">Hidden units.</param>
    /// <param name="classes">Classes.</param>
    /// <param name="seed">Seeds the weights.</param>
    public LeakyReluNet(ComputeDevice device, int inputs = 784, int hidden = 100, int classes = 10, ulong seed = 0)
    {
        W1 = Tensor.RandomNormal(device, [inputs, hidden], std: MathF.Sqrt(2f / inputs), seed: seed);
        B1 = Tensor.Zeros(device, hidden);
        W2 = Tensor.RandomNormal(device, [hidden, classes], std: MathF.Sqrt(2f / hidden), seed: seed + 1);
        B2 = Tensor.Zeros(device, classes);
        Parameters = [W1, B1, W2, B2];
        foreach (var parameter in Parameters)
        {
            parameter.IsTrainable = true;
        }
    }

    /// <summary>(inputs, hidden).</summary>
    public Tensor W1 { get; }

    /// <summary>(hidden).</summary>
    public Tensor B1 { get; }

    /// <summary>(hidden, classes).</summary>
    public Tensor W2 { get; }

    /// <summary>(classes).</summary>
    public Tensor B2 { get; }

    /// <summary>W1, B1, W2, B2.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Logits (n, classes) of x (n, inputs).</summary>
    /// <param name="x">(n, inputs).</param>
    /// <returns>(n, classes).</returns>
    public Tensor Forward(Tensor x) =>
        Ops.AddBias(Ops.MatMul(LeakyRelu.Apply(Ops.AddBias(Ops.MatMul(x, W1), B1)), W2), B2);

    /// <summary>Mean softmax cross-entropy of the logits against the labels: a scalar.</summary>
    /// <param name="x">(n, inputs).</param>
    /// <param name="labels">n labels.</param>
    /// <returns>().</returns>
    public Tensor Loss(Tensor x, Labels labels) => Ops.Mean(Ops.SoftmaxCrossEntropy(Forward(x), labels));

    /// <summary>The fraction of rows whose largest logit is their label.</summary>
    /// <param name="x">(n, inputs).</param>
    /// <param name="labels">n labels.</param>
    /// <returns>In [0, 1].</returns>
    public double Accuracy(Tensor x, Labels labels)
    {
        using var tape = new GradientTape();   // owns the intermediates, so they are freed here
        return Ops.Accuracy(Forward(x), labels);
    }

    /// <summary>Frees the parameters.</summary>
    public void Dispose()
    {
        foreach (var parameter in Parameters)
        {
            parameter.Dispose();
        }
    }
}
