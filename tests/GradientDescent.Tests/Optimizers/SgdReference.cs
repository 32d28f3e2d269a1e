namespace GradientDescent.Tests;

public static partial class ReferenceOps
{
    /// <summary>One gradient-descent step, <c>w' = w − lr·g</c>.</summary>
    /// <param name="w">Parameters, any shape.</param>
    /// <param name="g">Their gradient, the shape of w.</param>
    /// <param name="learningRate">lr.</param>
    /// <returns>w', the shape of w.</returns>
    public static double[] SgdUpdate(double[] w, double[] g, double learningRate) =>
        [.. w.Zip(g, (p, d) => p - (learningRate * d))];
}

/// <summary>The settings of <c>torch.optim.SGD</c>, as float64 copies of the float32 values the library is given.</summary>
public sealed record TorchSgd(double LearningRate, double Momentum = 0, double Dampening = 0, double WeightDecay = 0, bool Nesterov = false)
{
    public override string ToString() =>
        FormattableString.Invariant($"lr {LearningRate:G3}, momentum {Momentum:G3}, dampening {Dampening:G3}, weight decay {WeightDecay:G3}{(Nesterov ? ", Nesterov" : string.Empty)}");
}

public static partial class ReferenceOps
{
    /// <summary>
    /// Steps of <c>torch.optim.SGD</c> on one parameter, element by element: <c>d = g + λ·w</c>; with momentum μ the
    /// buffer is <c>v = d</c> at the first step (no dampening: PyTorch clones d) and <c>v = μ·v + (1 − τ)·d</c> after;
    /// the step is <c>d + μ·v</c> (Nesterov) or <c>v</c>, or d without momentum; then <c>w = w − lr·step</c>.
    /// </summary>
    /// <param name="w">The initial parameter, any shape.</param>
    /// <param name="gradients">One gradient per step, each shaped like w.</param>
    /// <param name="sgd">lr, μ, τ, λ and Nesterov.</param>
    /// <returns>The parameter after the steps, and a bound on the float32 error of each element (see <see cref="SgdStepsBound"/>).</returns>
    public static (double[] W, double[] Bound) SgdSteps(double[] w, IReadOnlyList<double[]> gradients, TorchSgd sgd)
    {
        var weights = (double[])w.Clone();
        var velocity = new double[w.Length];
        var bound = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            var e = new SgdError();
            for (int t = 0; t < gradients.Count; t++)
            {
                double d = gradients[t][i] + (sgd.WeightDecay * weights[i]);
                double step = d;
                if (sgd.Momentum != 0)
                {
                    velocity[i] = t == 0 ? d : (sgd.Momentum * velocity[i]) + ((1 - sgd.Dampening) * d);
                    step = sgd.Nesterov ? d + (sgd.Momentum * velocity[i]) : velocity[i];
                }

                weights[i] -= sgd.LearningRate * step;
                e = SgdStepsBound(e, sgd, t == 0, weights[i], gradients[t][i], d, velocity[i], step);
            }

            bound[i] = e.W;
        }

        return (weights, bound);
    }

    /// <summary>
    /// The float32 error of one element after one more step, to first order in u = 2⁻²⁴, carried from the errors
    /// <paramref name="e"/> before it: each rounding adds u times the value it rounds, and earlier errors propagate
    /// through the formulas (λ·e_w into d, μ·e_v into v and into a Nesterov step, lr·e_step into w). The settings
    /// themselves are float32 values held exactly by both; fl(1 − τ) rounds once more.
    /// </summary>
    /// <param name="e">The errors of w and v before the step.</param>
    /// <param name="sgd">The settings.</param>
    /// <param name="first">Whether this is the first step (v = d, not rounded).</param>
    /// <param name="w">w after the step.</param>
    /// <param name="g">The gradient.</param>
    /// <param name="d">g + λ·w before the step.</param>
    /// <param name="v">v after the step.</param>
    /// <param name="step">The step taken.</param>
    /// <returns>The errors of w and v after the step.</returns>
    public static SgdError SgdStepsBound(SgdError e, TorchSgd sgd, bool first, double w, double g, double d, double v, double step)
    {
        const double u = 1.0 / (1 << 24);
        double decay = Math.Abs(d - g);
        double ed = sgd.WeightDecay == 0 ? 0 : (sgd.WeightDecay * e.W) + (u * decay) + (u * Math.Abs(d));
        double ev = e.V, es = ed;
        if (sgd.Momentum != 0)
        {
            double previous = first ? 0 : (v - ((1 - sgd.Dampening) * d)) / sgd.Momentum;
            double carried = sgd.Momentum * Math.Abs(previous), fresh = (1 - sgd.Dampening) * Math.Abs(d);
            ev = first ? ed : (sgd.Momentum * e.V) + (u * carried) + ((1 - sgd.Dampening) * ed) + (2 * u * fresh) + (u * Math.Abs(v));
            es = sgd.Nesterov ? ed + (sgd.Momentum * ev) + (u * sgd.Momentum * Math.Abs(v)) + (u * Math.Abs(step)) : ev;
        }

        double ew = e.W + (sgd.LearningRate * es) + (u * sgd.LearningRate * Math.Abs(step)) + (u * Math.Abs(w));
        return new SgdError(ew, ev);
    }
}

/// <summary>First-order bounds on the float32 errors of a parameter element and of its velocity.</summary>
public readonly record struct SgdError(double W, double V);
