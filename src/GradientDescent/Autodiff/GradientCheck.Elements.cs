namespace GradientDescent;

// One element's finite differences and verdict, and the noise estimate the default atol rests on.
public static partial class GradientCheck
{
    private static Measurement Measure(NumericDerivative numeric, int source, int index, double h)
    {
        var (plus, minus, up, down) = numeric.Pair(source, index, h);
        var (halfPlus, halfMinus, halfUp, halfDown) = numeric.Pair(source, index, h / 2);
        return new Measurement(source, index, h, plus, minus, up, down, (halfPlus - halfMinus) / (halfUp + halfDown));
    }

    private static GradientCheckElement Judge(
        Measurement m, GradientCheckOptions options, double f0, double noise, IReadOnlyList<int> shape, double analytic)
    {
        double rtol = options.RelativeTolerance;
        double right = (m.Plus - f0) / m.Up;
        double left = (f0 - m.Minus) / m.Down;
        double central = (m.Plus - m.Minus) / (m.Up + m.Down);
        double sigma = Math.Max(noise, NumericDerivative.Unit * Math.Max(Math.Abs(m.Plus), Math.Abs(m.Minus)));
        // σ/h is the rounding of a difference quotient of f known to ±σ.
        double atol = options.AbsoluteTolerance ?? 10 * sigma / m.Step;
        double allowed = atol + (rtol * Math.Abs(central));
        // A kink within the step moves the central difference by half the one-sided gap, so a gap within
        // rounding and rtol cannot move it past the tolerance. Kinks whose gaps cancel (two ReLU inputs
        // crossing 0 on either side) still move it, but not the central difference at h/2 in the same way.
        bool smooth = Math.Abs(right - left) <= (4 * sigma / m.Step) + (rtol * Math.Max(Math.Abs(right), Math.Abs(left)))
            && Math.Abs(central - m.HalfCentral) <= (5 * sigma / m.Step) + (rtol * Math.Max(Math.Abs(central), Math.Abs(m.HalfCentral)));
        var outcome = !smooth ? GradientCheckOutcome.NonDifferentiable
            : Math.Abs(analytic - central) <= allowed ? GradientCheckOutcome.Passed
            : GradientCheckOutcome.Failed;
        return new GradientCheckElement(m.Source, m.Index, Unravel(m.Index, shape), analytic, central, allowed, left, right,
            (m.Up + m.Down) / 2, outcome);
    }

    /// <summary>
    /// σ from the checked elements themselves: the second difference f(x + h) − 2f(x) + f(x − h) is h²f″ (small
    /// at these steps) plus three roundings, so the median of its size over the elements that moved f is the
    /// noise the steps meet, whatever intermediate rounds it (0 when fewer than 8 elements moved f).
    /// </summary>
    private static double PooledNoise(List<Measurement> measurements, double f0)
    {
        double[] second = [.. measurements
            .Where(m => m.Plus != f0 || m.Minus != f0)
            .Select(m => Math.Abs(m.Plus - (2 * f0) + m.Minus))
            .Order()];
        // For a normal error the median of |e₁ + e₂ − 2e₀| is 0.6745·√6·σ.
        return second.Length < 8 ? 0 : second[second.Length / 2] / (0.6745 * Math.Sqrt(6));
    }

    private static int[] Unravel(int flat, IReadOnlyList<int> shape)
    {
        var index = new int[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }

        return index;
    }

    /// <summary>f at x ± h for one element, the steps actually taken, and the central difference at h/2.</summary>
    private readonly record struct Measurement(
        int Source, int Index, double Step, double Plus, double Minus, double Up, double Down, double HalfCentral);
}
