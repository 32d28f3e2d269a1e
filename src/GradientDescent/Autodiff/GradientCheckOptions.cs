namespace GradientDescent;

/// <summary>How <see cref="GradientCheck"/> compares a tape's gradients with finite differences.</summary>
/// <remarks>
/// An element passes when <c>|analytic − numeric| ≤ atol + rtol·|numeric|</c>, as in PyTorch's
/// <c>torch.autograd.gradcheck</c>. The defaults suit float32 functions of float32 sources: no step or
/// tolerance needs tuning for a net such as <see cref="TwoLayerNet"/>.
/// </remarks>
public sealed class GradientCheckOptions
{
    /// <summary>The options every check uses unless given others.</summary>
    public static GradientCheckOptions Default { get; } = new();

    /// <summary>
    /// atol. Null (the default) means the float32 resolution of each difference quotient:
    /// 10·σ/h, where σ is the rounding noise of the function measured at the checked point (from the second
    /// differences of the checked elements and from evaluations with every element moved by ±2⁻¹⁴ of itself;
    /// at least half an ulp of its value) and h the element's step. A fixed value replaces it for every element; below the
    /// default it fails on rounding alone.
    /// </summary>
    public double? AbsoluteTolerance { get; init; }

    /// <summary>rtol: the part of the tolerance proportional to |numeric|; 1e-2 by default, so a gradient off by a few percent fails.</summary>
    public double RelativeTolerance { get; init; } = 1e-2;

    /// <summary>
    /// The central difference's step, relative to the element: h = Step·max(|x|, 1); 2e-3 by default. Smaller
    /// steps cross fewer kinks (ReLU) but carry more rounding noise, which the default tolerance follows.
    /// </summary>
    public double Step { get; init; } = 2e-3;

    /// <summary>How many elements of each source to check at most: all of a smaller source, else a seeded sample; 32 by default.</summary>
    public int MaxElementsPerSource { get; init; } = 32;

    /// <summary>Chooses the sampled elements and the noise probe's perturbations.</summary>
    public ulong Seed { get; init; }

    /// <summary>How many failures and non-differentiable points the report lists (the worst first); 10 by default.</summary>
    public int MaxListed { get; init; } = 10;

    internal void Validate()
    {
        if (AbsoluteTolerance is { } atol && (!double.IsFinite(atol) || atol < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(AbsoluteTolerance), atol, "GradientCheck: AbsoluteTolerance must be finite and not negative (or null for the default).");
        }

        if (!double.IsFinite(RelativeTolerance) || RelativeTolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "GradientCheck: RelativeTolerance must be finite and not negative.");
        }

        if (!double.IsFinite(Step) || Step <= 0 || Step > 0.1)
        {
            throw new ArgumentOutOfRangeException(nameof(Step), Step, "GradientCheck: Step must be in (0, 0.1] (relative to max(|x|, 1)).");
        }

        if (MaxElementsPerSource < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxElementsPerSource), MaxElementsPerSource, "GradientCheck: MaxElementsPerSource must be at least 1.");
        }

        if (MaxListed < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxListed), MaxListed, "GradientCheck: MaxListed must not be negative.");
        }
    }
}
