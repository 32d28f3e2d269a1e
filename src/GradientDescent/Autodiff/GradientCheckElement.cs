using System.Globalization;

namespace GradientDescent;

/// <summary>What <see cref="GradientCheck"/> concluded about one element.</summary>
public enum GradientCheckOutcome
{
    /// <summary><c>|analytic − numeric| ≤ atol + rtol·|numeric|</c>.</summary>
    Passed,

    /// <summary>The tape's gradient and the finite difference disagree beyond the tolerance.</summary>
    Failed,

    /// <summary>
    /// The function has a kink within the step (a ReLU input near 0, say): the one-sided differences (or the
    /// central differences at h and h/2) disagree beyond rounding, at the step and at a quarter of it, so no
    /// finite difference stands for the derivative.
    /// Not compared, and not a failure.
    /// </summary>
    NonDifferentiable,
}

/// <summary>One checked element: the tape's gradient, the finite difference and the verdict.</summary>
/// <param name="Source">The source's index in the list given to <see cref="GradientCheck.Run"/>.</param>
/// <param name="Index">The element's flat (row-major) index in the source.</param>
/// <param name="Position">The element's index per dimension, e.g. <c>[3, 41]</c>.</param>
/// <param name="Analytic">The tape's gradient (0 where the tape found no path to the source).</param>
/// <param name="Numeric">The central difference <c>(f(x + h) − f(x − h)) / 2h</c>.</param>
/// <param name="Allowed">The tolerance applied: <c>atol + rtol·|numeric|</c>.</param>
/// <param name="Left">The backward difference <c>(f(x) − f(x − h)) / h</c>.</param>
/// <param name="Right">The forward difference <c>(f(x + h) − f(x)) / h</c>.</param>
/// <param name="Step">The step h actually taken (the last one tried for a non-differentiable point).</param>
/// <param name="Outcome">The verdict.</param>
public sealed record GradientCheckElement(
    int Source, int Index, IReadOnlyList<int> Position, double Analytic, double Numeric, double Allowed,
    double Left, double Right, double Step, GradientCheckOutcome Outcome)
{
    /// <summary><c>|analytic − numeric|</c>.</summary>
    public double Difference => Math.Abs(Analytic - Numeric);

    /// <summary>The difference over the tolerance: above 1 fails (for a non-differentiable point, what it would have been).</summary>
    public double Excess => Allowed > 0 ? Difference / Allowed : Difference > 0 ? double.PositiveInfinity : 0;

    /// <summary>One line for reports.</summary>
    /// <returns>For example <c>source 0 [3, 41]: analytic 0.01, numeric 0.011, difference 0.001 &gt; allowed 0.0002</c>.</returns>
    public override string ToString()
    {
        string at = $"source {Source} [{string.Join(", ", Position)}]";
        return Outcome == GradientCheckOutcome.NonDifferentiable
            ? string.Create(CultureInfo.InvariantCulture, $"{at}: left {Left:G4}, right {Right:G4} (step {Step:G3}); analytic {Analytic:G6}")
            : string.Create(CultureInfo.InvariantCulture,
                $"{at}: analytic {Analytic:G6}, numeric {Numeric:G6}, difference {Difference:G3} {(Outcome == GradientCheckOutcome.Failed ? ">" : "≤")} allowed {Allowed:G3}");
    }
}
