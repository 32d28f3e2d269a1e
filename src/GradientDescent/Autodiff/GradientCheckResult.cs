using System.Globalization;
using System.Text;

namespace GradientDescent;

/// <summary>
/// The verdict of <see cref="GradientCheck.Run"/>: passed or failed, every checked element, and a report
/// that lists the worst failures and the non-differentiable points.
/// </summary>
public sealed class GradientCheckResult
{
    private readonly int _maxListed;

    internal GradientCheckResult(IReadOnlyList<SourceReport> sources, GradientCheckOptions options, double value, double noise)
    {
        Sources = sources;
        Elements = [.. sources.SelectMany(s => s.Elements)];
        RelativeTolerance = options.RelativeTolerance;
        AbsoluteTolerance = options.AbsoluteTolerance;
        Value = value;
        Noise = noise;
        _maxListed = options.MaxListed;
    }

    /// <summary>
    /// Whether every compared element passed and at least one was compared (a check whose every point is
    /// non-differentiable verified nothing, and fails).
    /// </summary>
    public bool Passed => Failures.Count == 0 && NonDifferentiable.Count < Elements.Count;

    /// <summary>One report per source, in the order of the sources.</summary>
    public IReadOnlyList<SourceReport> Sources { get; }

    /// <summary>Every checked element, source by source.</summary>
    public IReadOnlyList<GradientCheckElement> Elements { get; }

    /// <summary>The failed elements, the worst (largest difference over tolerance) first.</summary>
    public IReadOnlyList<GradientCheckElement> Failures =>
        [.. Elements.Where(e => e.Outcome == GradientCheckOutcome.Failed).OrderByDescending(e => e.Excess)];

    /// <summary>The non-differentiable points, which were not compared, the largest one-sided disagreement first.</summary>
    public IReadOnlyList<GradientCheckElement> NonDifferentiable =>
        [.. Elements.Where(e => e.Outcome == GradientCheckOutcome.NonDifferentiable).OrderByDescending(e => Math.Abs(e.Right - e.Left))];

    /// <summary>The largest <c>|analytic − numeric|</c> over the compared elements.</summary>
    public double MaxAbsoluteError => Sources.Max(s => s.MaxAbsoluteError);

    /// <summary>The largest relative error over the compared elements (see <see cref="SourceReport.MaxRelativeError"/>).</summary>
    public double MaxRelativeError => Sources.Max(s => s.MaxRelativeError);

    /// <summary>The rtol applied.</summary>
    public double RelativeTolerance { get; }

    /// <summary>The atol applied; null when each element's was derived from the rounding noise (the default).</summary>
    public double? AbsoluteTolerance { get; }

    /// <summary>The function's value at the checked point.</summary>
    public double Value { get; }

    /// <summary>The function's rounding noise σ measured at the checked point, from which the default atol follows.</summary>
    public double Noise { get; }

    /// <summary>
    /// The verdict in words: a summary line, then the worst failures and the non-differentiable points, each
    /// with its source, index, analytic and numeric values.
    /// </summary>
    public string Report
    {
        get
        {
            var failures = Failures;
            var kinks = NonDifferentiable;
            int compared = Elements.Count - kinks.Count;
            var text = new StringBuilder();
            string atol = AbsoluteTolerance is { } a ? a.ToString("G3", CultureInfo.InvariantCulture) : "10σ/h";
            text.Append(CultureInfo.InvariantCulture, $"Gradient check {(Passed ? "passed" : "failed")}: ");
            text.Append(compared == 0
                ? $"none of {Elements.Count} elements could be compared"
                : $"{failures.Count} of {compared} compared elements differ beyond atol + rtol·|numeric|");
            text.Append(CultureInfo.InvariantCulture, $" (atol {atol}, rtol {RelativeTolerance:G3}; f = {Value:G6}, σ = {Noise:G3}); ");
            text.Append(CultureInfo.InvariantCulture, $"{kinks.Count} non-differentiable point{(kinks.Count == 1 ? string.Empty : "s")} not compared.");
            foreach (var source in Sources)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{Environment.NewLine}  source {source.Source} {ShapeMath.Format(source.Shape)}: {source.ElementsChecked} checked, "
                    + $"{source.Failures} failed, {source.NonDifferentiable} non-differentiable, max |difference| {source.MaxAbsoluteError:G3}");
            }

            List("Worst failures", failures);
            List("Non-differentiable points (one-sided differences disagree beyond rounding)", kinks);
            return text.ToString();

            void List(string title, IReadOnlyList<GradientCheckElement> elements)
            {
                if (elements.Count == 0 || _maxListed == 0)
                {
                    return;
                }

                text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}{title}:");
                foreach (var e in elements.Take(_maxListed))
                {
                    text.Append(Environment.NewLine).Append("  ").Append(e);
                }

                if (elements.Count > _maxListed)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  … and {elements.Count - _maxListed} more");
                }
            }
        }
    }

    /// <summary>Throws <see cref="GradientCheckException"/>, whose message is <see cref="Report"/>, unless the check passed.</summary>
    /// <returns>This result, when it passed.</returns>
    /// <exception cref="GradientCheckException">The check failed.</exception>
    public GradientCheckResult ThrowIfFailed() => Passed ? this : throw new GradientCheckException(this);

    /// <summary>The report.</summary>
    /// <returns><see cref="Report"/>.</returns>
    public override string ToString() => Report;
}
