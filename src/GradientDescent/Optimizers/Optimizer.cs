namespace GradientDescent;

/// <summary>
/// Updates parameters in place from their gradients: the step after <see cref="GradientTape.Gradient(Tensor, Tensor[])"/>,
/// and what <see cref="TwoLayerNet.TrainStep"/> applies. <see cref="SgdStep"/> is the one the library provides.
/// </summary>
/// <remarks>
/// Parameters that lie back to back in one buffer, with gradients laid out the same way (as
/// <see cref="TwoLayerNet"/> keeps them), are updated by a single kernel launch. Every update counts as an
/// in-place write: a persistent tape that saved a parameter then refuses to compute gradients from the old values.
/// </remarks>
public abstract class Optimizer : IDisposable
{
    private float _learningRate;

    private protected Optimizer(float learningRate) => LearningRate = learningRate;

    /// <summary>The step size; positive and finite. May be changed between steps (a schedule).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero, a negative, NaN or an infinite value.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!float.IsFinite(value) || value <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"The learning rate must be positive and finite, but is {value}.");
            }

            _learningRate = value;
        }
    }

    /// <summary>Frees the state the optimiser keeps on devices (momentum buffers); harmless to call twice.</summary>
    /// <remarks>The optimiser stays usable: a later step starts its state afresh, as at the first step.</remarks>
    public void Dispose()
    {
        FreeState();
        GC.SuppressFinalize(this);
    }

    /// <summary>Updates each parameter whose gradient is not null.</summary>
    /// <param name="parameters">The tensors to update in place.</param>
    /// <param name="gradients">One gradient per parameter, shaped like it, or null to skip it.</param>
    /// <exception cref="ArgumentException">The counts differ, or a gradient's shape or device differs from its parameter's.</exception>
    /// <exception cref="ObjectDisposedException">A parameter or gradient has been disposed.</exception>
    public void Apply(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        string name = GetType().Name;
        if (parameters.Count != gradients.Count)
        {
            throw new ArgumentException(
                $"{name}: {parameters.Count} parameters but {gradients.Count} gradients; pass one gradient (or null) per parameter.",
                nameof(gradients));
        }

        var pairs = new List<(Tensor Parameter, Tensor Gradient)>();
        for (int i = 0; i < parameters.Count; i++)
        {
            if (gradients[i] is { } g)
            {
                TensorChecks.SameShape(name, parameters[i], $"parameters[{i}]", g, $"gradients[{i}]");
                pairs.Add((parameters[i], g));
            }
        }

        if (pairs.Count == 0)
        {
            return;
        }

        if (TryCoalesce(pairs, out var flatParameters, out var flatGradients))
        {
            Update(flatParameters, flatGradients);
        }
        else
        {
            foreach (var (p, g) in pairs)
            {
                Update(p, g);
            }
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if (gradients[i] is not null)
            {
                NumericsCheck.Verify(name, parameters[i], $"updated parameters[{i}]");
            }
        }
    }

    /// <summary>
    /// Updates one buffer of parameters from a buffer of gradients of the same length, in one launch, and
    /// marks the parameters written. Shapes are checked by the caller.
    /// </summary>
    /// <param name="parameters">(n), updated in place.</param>
    /// <param name="gradients">(n).</param>
    internal void Update(Tensor parameters, Tensor gradients)
    {
        Step(parameters, gradients);
        parameters.MarkWritten();
    }

    /// <summary>The update rule itself, one launch over <paramref name="parameters"/>.</summary>
    private protected abstract void Step(Tensor parameters, Tensor gradients);

    /// <summary>Frees the optimiser's device state, if it keeps any.</summary>
    private protected virtual void FreeState()
    {
    }

    /// <summary>
    /// Finds whether the parameters tile one contiguous range of one buffer and the gradients tile a
    /// range of one buffer in the same order and sizes; then one launch updates them all.
    /// </summary>
    private static bool TryCoalesce(List<(Tensor Parameter, Tensor Gradient)> pairs, out Tensor parameters, out Tensor gradients)
    {
        parameters = gradients = null!;
        var sorted = pairs.OrderBy(p => p.Parameter.Offset).ToList();
        var first = sorted[0];
        int length = 0;
        foreach (var (p, g) in sorted)
        {
            bool contiguous =
                ReferenceEquals(p.Buffer, first.Parameter.Buffer) && ReferenceEquals(g.Buffer, first.Gradient.Buffer)
                && p.Offset == first.Parameter.Offset + length && g.Offset == first.Gradient.Offset + length
                && !ReferenceEquals(p.Buffer, g.Buffer);
            if (!contiguous)
            {
                return false;
            }

            length += p.Length;
        }

        parameters = Tensor.ViewOf(first.Parameter, 0, [length]);
        gradients = Tensor.ViewOf(first.Gradient, 0, [length]);
        return true;
    }
}
