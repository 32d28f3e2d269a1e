namespace GradientDescent;

/// <summary>
/// Stochastic gradient descent with PyTorch's options (<c>torch.optim.SGD</c>): plain
/// <c>w = w − lr·dw</c> as in the tutorial's <c>w.assign_sub(learning_rate * dw)</c>, or with momentum,
/// dampening, Nesterov momentum and L2 weight decay.
/// </summary>
/// <remarks>
/// <para>
/// Per parameter element, exactly as PyTorch: <c>d = dw + weightDecay·w</c>; with momentum, the velocity is
/// <c>v = d</c> at the first step and <c>v = momentum·v + (1 − dampening)·d</c> after, and the step uses
/// <c>d + momentum·v</c> (Nesterov) or <c>v</c>; finally <c>w = w − lr·step</c>. Parameters that share one
/// buffer are updated by one fused launch.
/// </para>
/// <para>
/// With momentum the step keeps one velocity buffer per parameter buffer it has updated, on that buffer's
/// device, and remembers which elements have taken their first step: a parameter skipped for a step (a null
/// gradient) or updated apart from the others continues from its own velocity, as in PyTorch.
/// <see cref="Optimizer.Dispose"/> frees them. Plain SGD keeps nothing.
/// </para>
/// </remarks>
public sealed class SgdStep : Optimizer
{
    /// <summary>
    /// The velocity of each parameter buffer, keyed by the buffer: keyed by the range a launch covered, a parameter
    /// updated once with the others (one fused range) and once alone (a null gradient beside it) would find no
    /// velocity the second time and restart its momentum, where PyTorch keeps one buffer per parameter.
    /// </summary>
    private readonly Dictionary<long, Velocity> _velocity = [];

    /// <summary>Creates the step.</summary>
    /// <param name="learningRate">A positive, finite step size.</param>
    /// <param name="momentum">The momentum factor μ, 0 for none; finite and not negative.</param>
    /// <param name="dampening">The dampening τ of momentum, in [0, 1].</param>
    /// <param name="weightDecay">The L2 penalty λ added to every gradient as λ·w; finite and not negative.</param>
    /// <param name="nesterov">Whether to use Nesterov momentum; needs momentum &gt; 0 and no dampening, as in PyTorch.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum, or with dampening.</exception>
    public SgdStep(float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(learningRate)
    {
        Require(momentum, nameof(momentum), float.PositiveInfinity);
        Require(dampening, nameof(dampening), 1f);
        Require(weightDecay, nameof(weightDecay), float.PositiveInfinity);
        if (nesterov && (momentum == 0f || dampening != 0f))
        {
            throw new ArgumentException(
                $"SgdStep: Nesterov momentum needs a momentum above 0 and no dampening, but momentum is {momentum} and dampening {dampening}.",
                nameof(nesterov));
        }

        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
    }

    /// <summary>The momentum factor μ; 0 for plain gradient descent.</summary>
    public float Momentum { get; }

    /// <summary>The dampening τ of momentum.</summary>
    public float Dampening { get; }

    /// <summary>The L2 weight decay λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the step uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>Names the step and its settings, for memory reports and logs.</summary>
    /// <returns>For example <c>SgdStep(lr 0.1, momentum 0.9)</c>.</returns>
    public override string ToString() =>
        FormattableString.Invariant($"SgdStep(lr {LearningRate}") + (Momentum != 0 ? FormattableString.Invariant($", momentum {Momentum}") : string.Empty)
        + (Dampening != 0 ? FormattableString.Invariant($", dampening {Dampening}") : string.Empty)
        + (WeightDecay != 0 ? FormattableString.Invariant($", weight decay {WeightDecay}") : string.Empty) + (Nesterov ? ", Nesterov)" : ")");

    private protected override void Step(Tensor parameters, Tensor gradients)
    {
        if (Momentum == 0f && WeightDecay == 0f)
        {
            SgdKernels.Update(parameters, gradients, LearningRate);
            return;
        }

        var settings = new SgdSettings(LearningRate, Momentum, Dampening, WeightDecay, Nesterov);
        if (Momentum == 0f)
        {
            // Weight decay alone needs no velocity: the velocity step with μ = 0 is v = d, w −= lr·d, and v is scratch.
            using var scratch = Tensor.Uninitialized(parameters.Device, [parameters.Length]);
            SgdKernels.MomentumUpdate(parameters, gradients, scratch, settings, first: true);
            return;
        }

        if (!_velocity.TryGetValue(parameters.Buffer.Id, out var velocity))
        {
            int length = (int)(parameters.Buffer.Bytes / sizeof(float));
            velocity = new Velocity(Tensor.Uninitialized(parameters.Device, [length]).OwnedBy(this));
            _velocity[parameters.Buffer.Id] = velocity;
        }

        // One launch per run of elements that have, or have not, taken their first step: one run as a rule.
        int start = parameters.Offset;
        foreach (var (from, to, first) in velocity.Runs(start, start + parameters.Length))
        {
            SgdKernels.MomentumUpdate(Tensor.ViewOf(parameters, from - start, [to - from]), Tensor.ViewOf(gradients, from - start, [to - from]),
                Tensor.ViewOf(velocity.Values, from, [to - from]), settings, first);
        }

        velocity.MarkStarted(start, start + parameters.Length);
    }

    private protected override void FreeState()
    {
        foreach (var velocity in _velocity.Values)
        {
            velocity.Values.Release();
        }

        _velocity.Clear();
    }

    /// <summary>A parameter buffer's velocity, as long as the buffer, and the element ranges that have taken a first step.</summary>
    private sealed class Velocity(Tensor values)
    {
        /// <summary>Sorted, disjoint, non-adjacent [start, end) ranges of the buffer.</summary>
        private List<(int Start, int End)> _started = [];

        internal Tensor Values { get; } = values;

        /// <summary>[start, end) split into runs that all have (first = false) or all have not (first = true) stepped.</summary>
        internal List<(int From, int To, bool First)> Runs(int start, int end)
        {
            var runs = new List<(int From, int To, bool First)>();
            int at = start;
            foreach (var (s, e) in _started)
            {
                if (e <= at)
                {
                    continue;
                }

                if (s >= end)
                {
                    break;
                }

                if (s > at)
                {
                    runs.Add((at, s, true));
                }

                int stop = Math.Min(e, end);
                runs.Add((Math.Max(s, at), stop, false));
                at = stop;
            }

            if (at < end)
            {
                runs.Add((at, end, true));
            }

            return runs;
        }

        internal void MarkStarted(int start, int end)
        {
            var merged = new List<(int Start, int End)>();
            foreach (var range in _started.Append((Start: start, End: end)).OrderBy(r => r.Start))
            {
                if (merged.Count > 0 && range.Start <= merged[^1].End)
                {
                    merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, range.End));
                }
                else
                {
                    merged.Add(range);
                }
            }

            _started = merged;
        }
    }

    private static void Require(float value, string name, float max)
    {
        if (float.IsNaN(value) || float.IsInfinity(value) || value < 0f || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value,
                $"SgdStep: {name} must be {(float.IsPositiveInfinity(max) ? "finite and not negative" : $"in [0, {max}]")}, but is {value}.");
        }
    }
}
