namespace GradientDescent;

/// <summary>One source's part of a <see cref="GradientCheckResult"/>.</summary>
/// <param name="Source">The source's index in the list given to <see cref="GradientCheck.Run"/>.</param>
/// <param name="Shape">The source's shape.</param>
/// <param name="Elements">Its checked elements, in index order.</param>
public sealed record SourceReport(int Source, IReadOnlyList<int> Shape, IReadOnlyList<GradientCheckElement> Elements)
{
    /// <summary>How many elements were checked.</summary>
    public int ElementsChecked => Elements.Count;

    /// <summary>How many failed.</summary>
    public int Failures => Elements.Count(e => e.Outcome == GradientCheckOutcome.Failed);

    /// <summary>How many were non-differentiable points, not compared.</summary>
    public int NonDifferentiable => Elements.Count(e => e.Outcome == GradientCheckOutcome.NonDifferentiable);

    /// <summary>The largest <c>|analytic − numeric|</c> over the compared elements (0 if none).</summary>
    public double MaxAbsoluteError => Compared.Select(e => e.Difference).DefaultIfEmpty(0).Max();

    /// <summary>
    /// The largest <c>|analytic − numeric| / max(|analytic|, |numeric|)</c> over the compared elements whose
    /// gradient is not zero on both sides (0 if none): a diagnostic; the verdict is the tolerance.
    /// </summary>
    public double MaxRelativeError => Compared
        .Select(e => Math.Max(Math.Abs(e.Analytic), Math.Abs(e.Numeric)) is var scale && scale > 0 ? e.Difference / scale : 0)
        .DefaultIfEmpty(0).Max();

    /// <summary>The compared element whose difference is largest against its tolerance, or null when none was compared.</summary>
    public GradientCheckElement? Worst => Compared.OrderByDescending(e => e.Excess).FirstOrDefault();

    private IEnumerable<GradientCheckElement> Compared => Elements.Where(e => e.Outcome != GradientCheckOutcome.NonDifferentiable);
}
