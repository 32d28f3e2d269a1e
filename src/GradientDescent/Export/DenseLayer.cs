namespace GradientDescent;

/// <summary>
/// One fully connected layer on the host, <c>y = activation(x·W + b)</c> with x (n, inputs), W (inputs,
/// outputs) and b (outputs): the unit <see cref="OnnxExport.SaveDense"/> chains into a model.
/// </summary>
/// <remarks>
/// W is stored (inputs, outputs), row-major, as this library's <see cref="TwoLayerNet.W1"/> is; PyTorch's
/// <c>nn.Linear.weight</c> is the transpose, (outputs, inputs). The arrays are held by reference, not copied.
/// </remarks>
public sealed class DenseLayer
{
    /// <summary>Creates a layer from host arrays.</summary>
    /// <param name="weights">W, (inputs, outputs) in row-major order: <c>weights[i * outputs + j]</c> connects input i to output j.</param>
    /// <param name="inputs">Input features, at least 1.</param>
    /// <param name="outputs">Output features, at least 1.</param>
    /// <param name="bias">b, (outputs); null for none.</param>
    /// <param name="activation">What follows the affine map.</param>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputs"/> or <paramref name="outputs"/> is below 1, or <paramref name="activation"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="weights"/> is not inputs × outputs, or that of <paramref name="bias"/> is not outputs.</exception>
    public DenseLayer(float[] weights, int inputs, int outputs, float[]? bias = null, DenseActivation activation = DenseActivation.None)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        if (weights.Length != (long)inputs * outputs)
            throw new ArgumentException($"DenseLayer: weights of shape ({inputs}, {outputs}) need {(long)inputs * outputs} values but the array has {weights.Length}.", nameof(weights));
        if (bias is not null && bias.Length != outputs)
            throw new ArgumentException($"DenseLayer: the bias of a layer with {outputs} outputs needs {outputs} values but has {bias.Length}.", nameof(bias));

        Weights = weights;
        Inputs = inputs;
        Outputs = outputs;
        Bias = bias;
        Activation = activation;
    }

    /// <summary>W, (inputs, outputs), row-major.</summary>
    public float[] Weights { get; }

    /// <summary>Input features: the rows of W.</summary>
    public int Inputs { get; }

    /// <summary>Output features: the columns of W and the length of b.</summary>
    public int Outputs { get; }

    /// <summary>b, (outputs); null when the layer has none.</summary>
    public float[]? Bias { get; }

    /// <summary>What follows the affine map.</summary>
    public DenseActivation Activation { get; }

    /// <summary>Copies a layer's parameters from device tensors, for example those of a network built from <see cref="Ops"/>.</summary>
    /// <param name="weights">W, (inputs, outputs).</param>
    /// <param name="bias">b, (outputs); null for none.</param>
    /// <param name="activation">What follows the affine map.</param>
    /// <returns>A layer holding host copies of the values.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="weights"/> is not a matrix, or <paramref name="bias"/> is not a vector as long as its columns.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not a defined value.</exception>
    /// <exception cref="ObjectDisposedException">A tensor has been disposed.</exception>
    public static DenseLayer FromTensors(Tensor weights, Tensor? bias = null, DenseActivation activation = DenseActivation.None)
    {
        TensorChecks.Rank(nameof(FromTensors), weights, nameof(weights), 2);
        if (bias is not null)
        {
            TensorChecks.Rank(nameof(FromTensors), bias, nameof(bias), 1);
            if (bias.Shape[0] != weights.Shape[1])
                throw new ArgumentException($"FromTensors: bias has shape {bias.ShapeText} but weights {weights.ShapeText} have {weights.Shape[1]} columns.", nameof(bias));
        }

        return new DenseLayer(weights.ToArray(), weights.Shape[0], weights.Shape[1], bias?.ToArray(), activation);
    }
}
