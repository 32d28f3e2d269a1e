namespace GradientDescent;

/// <summary>How <see cref="TwoLayerNet"/> initialises its weights.</summary>
public enum WeightInit
{
    /// <summary>He (Kaiming) normal: <c>N(0, 2 / fan_in)</c>, biases zero. Suits ReLU; the default.</summary>
    He,

    /// <summary>
    /// The original tutorial's <c>tf.random.normal(shape) * 0.0001</c>: <c>N(0, 1)·1e-4</c>, biases zero.
    /// Tiny weights make the first steps almost flat; see the tutorial docs.
    /// </summary>
    Tutorial,
}

/// <summary>The architecture and initialisation of a <see cref="TwoLayerNet"/>.</summary>
public sealed class TwoLayerNetOptions
{
    /// <summary>Input features; 784 for 28×28 MNIST digits.</summary>
    public int Inputs { get; init; } = 784;

    /// <summary>Hidden units (ReLU).</summary>
    public int Hidden { get; init; } = 100;

    /// <summary>Output classes.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Whether both layers add a bias.</summary>
    public bool UseBias { get; init; } = true;

    /// <summary>The weight initialisation.</summary>
    public WeightInit Init { get; init; } = WeightInit.He;

    /// <summary>The seed of the initial weights; the same seed gives the same weights on every device.</summary>
    public ulong Seed { get; init; }

    internal void Validate()
    {
        if (Inputs < 1 || Hidden < 1 || Classes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TwoLayerNetOptions),
                $"TwoLayerNet sizes must be at least 1, but are inputs={Inputs}, hidden={Hidden}, classes={Classes}.");
        }

        if (!Enum.IsDefined(Init))
        {
            throw new ArgumentOutOfRangeException(nameof(TwoLayerNetOptions), Init, "Unknown weight initialisation.");
        }
    }
}
