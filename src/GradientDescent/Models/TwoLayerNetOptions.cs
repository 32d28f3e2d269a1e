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

    /// <summary>
    /// What a network read from a file reports: its weights came from the file, not from an initialisation
    /// (its <see cref="TwoLayerNetOptions.Seed"/> is then null). Not accepted for a new network.
    /// </summary>
    Loaded,
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

    /// <summary>
    /// The seed of the initial weights; the same seed gives the same weights on every device. Null for a
    /// network read from a file (its weights were not drawn here).
    /// </summary>
    public ulong? Seed { get; init; } = 0;

    /// <summary>How many floats the parameters take: W1, W2 and, with biases, b1 and b2.</summary>
    internal long ParameterCount =>
        ((long)Inputs * Hidden) + ((long)Hidden * Classes) + (UseBias ? (long)Hidden + Classes : 0);

    internal void Validate()
    {
        if (Inputs < 1 || Hidden < 1 || Classes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TwoLayerNetOptions),
                $"TwoLayerNet sizes must be at least 1, but are inputs={Inputs}, hidden={Hidden}, classes={Classes}.");
        }

        if (ParameterCount > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(TwoLayerNetOptions), ParameterCount,
                $"TwoLayerNet {Inputs} → {Hidden} → {Classes} has {ParameterCount:N0} parameters; a device buffer holds at most {int.MaxValue:N0} floats.");
        }

        if (!Enum.IsDefined(Init) || Init == WeightInit.Loaded)
        {
            throw new ArgumentOutOfRangeException(nameof(TwoLayerNetOptions), Init,
                Init == WeightInit.Loaded
                    ? "WeightInit.Loaded describes a network read from a file; a new network needs He or Tutorial."
                    : "Unknown weight initialisation.");
        }
    }
}
