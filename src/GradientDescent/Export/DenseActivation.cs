namespace GradientDescent;

/// <summary>The activation a <see cref="DenseLayer"/> applies after <c>x·W + b</c>, exported as the ONNX operator of that name.</summary>
public enum DenseActivation
{
    /// <summary>No activation: the layer is linear (for example the last layer, which gives logits).</summary>
    None,

    /// <summary><c>max(0, z)</c> (ONNX <c>Relu</c>).</summary>
    Relu,

    /// <summary><c>tanh(z)</c> (ONNX <c>Tanh</c>).</summary>
    Tanh,

    /// <summary><c>1 / (1 + e^−z)</c> (ONNX <c>Sigmoid</c>).</summary>
    Sigmoid,
}
