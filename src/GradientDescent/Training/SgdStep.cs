namespace GradientDescent;

/// <summary>
/// Plain gradient descent, <c>w = w − learning_rate · dw</c> for every parameter, as in the tutorial's
/// <c>w.assign_sub(learning_rate * dw)</c>.
/// </summary>
/// <remarks>
/// Parameters that lie back to back in one buffer, with gradients laid out the same way (as
/// <see cref="TwoLayerNet"/> keeps them), are updated by a single kernel launch.
/// </remarks>
public sealed class SgdStep
{
    private float _learningRate;

    /// <summary>Creates the step.</summary>
    /// <param name="learningRate">A positive, finite step size.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rate is zero, negative, NaN or infinite.</exception>
    public SgdStep(float learningRate) => LearningRate = learningRate;

    /// <summary>The step size; positive and finite.</summary>
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

    /// <summary>Applies <c>p −= lr · g</c> to each parameter whose gradient is not null.</summary>
    /// <param name="parameters">The tensors to update in place.</param>
    /// <param name="gradients">One gradient per parameter, shaped like it, or null to skip it.</param>
    /// <exception cref="ArgumentException">The counts differ, or a gradient's shape or device differs from its parameter's.</exception>
    /// <exception cref="ObjectDisposedException">A parameter or gradient has been disposed.</exception>
    public void Apply(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (parameters.Count != gradients.Count)
        {
            throw new ArgumentException(
                $"SgdStep: {parameters.Count} parameters but {gradients.Count} gradients; pass one gradient (or null) per parameter.",
                nameof(gradients));
        }

        var pairs = new List<(Tensor Parameter, Tensor Gradient)>();
        for (int i = 0; i < parameters.Count; i++)
        {
            if (gradients[i] is { } g)
            {
                OpChecks.SameShape(nameof(SgdStep), parameters[i], $"parameters[{i}]", g, $"gradients[{i}]");
                pairs.Add((parameters[i], g));
            }
        }

        if (pairs.Count == 0)
        {
            return;
        }

        if (TryCoalesce(pairs, out var flatParameters, out var flatGradients))
        {
            Kernels.Sgd.Update(flatParameters, flatGradients, _learningRate);
        }
        else
        {
            foreach (var (p, g) in pairs)
            {
                Kernels.Sgd.Update(p, g, _learningRate);
            }
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if (gradients[i] is not null)
            {
                NumericsCheck.Verify(nameof(SgdStep), parameters[i], $"updated parameters[{i}]");
            }
        }
    }

    /// <summary>One launch over a whole parameter buffer and its gradient buffer (same length).</summary>
    internal void ApplyFlat(Tensor flatParameters, Tensor flatGradients) =>
        Kernels.Sgd.Update(flatParameters, flatGradients, _learningRate);

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
                ReferenceEquals(p.Storage, first.Parameter.Storage) && ReferenceEquals(g.Storage, first.Gradient.Storage)
                && p.Offset == first.Parameter.Offset + length && g.Offset == first.Gradient.Offset + length
                && !ReferenceEquals(p.Storage, g.Storage);
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
