namespace GradientDescent;

/// <summary>How <see cref="TwoLayerNet.SaveSafetensors"/> names and shapes the parameters.</summary>
public enum SafetensorsLayout
{
    /// <summary>
    /// This library's own names, as in <see cref="ModelFile"/>: <c>w1</c> (inputs, hidden),
    /// <c>b1</c> (hidden), <c>w2</c> (hidden, classes), <c>b2</c> (classes).
    /// </summary>
    Native,

    /// <summary>
    /// The state dict of PyTorch's <c>nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, classes))</c>:
    /// <c>0.weight</c> (hidden, inputs) = W1ᵀ, <c>0.bias</c> (hidden), <c>2.weight</c> (classes, hidden) = W2ᵀ,
    /// <c>2.bias</c> (classes), since <c>nn.Linear</c> stores its weight as (out, in) and computes <c>x·Wᵀ + b</c>.
    /// </summary>
    PyTorchSequential,
}
