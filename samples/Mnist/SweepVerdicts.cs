namespace GradientDescent.Samples.MnistSample;

/// <summary>What became of one learning rate.</summary>
internal enum SweepVerdict
{
    /// <summary>The lowest final loss of the sweep.</summary>
    Best,

    /// <summary>Did not diverge, and ended within the slow ratio of the best.</summary>
    Fine,

    /// <summary>Did not diverge, but ended above the slow ratio times the best final loss.</summary>
    TooSlow,

    /// <summary>A loss was not finite, or rose above the initial loss.</summary>
    Diverged,
}

/// <summary>
/// One rate's run. <see cref="Losses"/> is the loss of the whole training set after each step in
/// <see cref="Steps"/> (the powers of two within the first epoch, then every epoch's end), so the curve
/// shows the first steps, where a large rate does its damage, and then the long descent. A run stopped early
/// (non-finite loss) has fewer entries.
/// </summary>
/// <param name="Rate">The learning rate.</param>
/// <param name="Initial">The whole training set's loss before the first step: the same for every rate.</param>
/// <param name="Steps">Steps taken when each of <see cref="Losses"/> was measured.</param>
/// <param name="Losses">The whole training set's loss after those steps.</param>
/// <param name="Epochs">Per completed epoch: the mean loss of its mini-batches (each before its update) and the test accuracy after it.</param>
/// <param name="StepsPerEpoch">Gradient steps in one epoch.</param>
/// <param name="Seconds">Wall time of the run, measurements included.</param>
internal sealed record SweepCurve(
    float Rate, double Initial, IReadOnlyList<int> Steps, IReadOnlyList<double> Losses, IReadOnlyList<(double MeanBatchLoss, double TestAccuracy)> Epochs,
    int StepsPerEpoch, double Seconds)
{
    internal double Final => Losses.Count > 0 ? Losses[^1] : Initial;
}

/// <summary>
/// The sweep's rule, in one place so the plot, the table and the docs agree:
/// <list type="bullet">
/// <item><b>diverged</b>: a loss measured during the run (the whole training set's after a measured
/// step, or an epoch's mean over its mini-batches) is NaN or ±∞ or more than twice the initial loss, or
/// the final loss is not below the initial one: steps so large that they climbed the far side of the
/// valley instead of descending it. (Twice, not merely above: a good rate may overshoot a little on its
/// first step, 1.15× the initial loss at lr 0.5 in one seed, while lr 2 rose to 2.6–12× in every seed tried.)</item>
/// <item><b>too slow</b>: not diverged, but the final loss is above <c>slowRatio</c> times the lowest
/// final loss among the runs that did not diverge;</item>
/// <item><b>best</b>: the lowest final loss; every other run is <b>fine</b>.</item>
/// </list>
/// </summary>
internal static class SweepVerdicts
{
    internal const double DefaultSlowRatio = 3;

    /// <summary>A loss above this many times the initial loss means the run diverged.</summary>
    internal const double DivergedRatio = 2;

    internal static bool IsDiverged(SweepCurve curve) =>
        curve.Losses.Concat(curve.Epochs.Select(e => e.MeanBatchLoss)).Any(loss => !double.IsFinite(loss) || loss > DivergedRatio * curve.Initial)
        || curve.Final >= curve.Initial;

    internal static SweepVerdict[] Judge(IReadOnlyList<SweepCurve> curves, double slowRatio)
    {
        var verdicts = new SweepVerdict[curves.Count];
        var healthy = Enumerable.Range(0, curves.Count).Where(i => !IsDiverged(curves[i])).ToList();
        int best = healthy.Count == 0 ? -1 : healthy.MinBy(i => curves[i].Final);
        for (int i = 0; i < curves.Count; i++)
        {
            verdicts[i] = !healthy.Contains(i) ? SweepVerdict.Diverged
                : i == best ? SweepVerdict.Best
                : curves[i].Final > slowRatio * curves[best].Final ? SweepVerdict.TooSlow
                : SweepVerdict.Fine;
        }

        return verdicts;
    }

    internal static string Name(SweepVerdict verdict) => verdict switch
    {
        SweepVerdict.Best => "best",
        SweepVerdict.Fine => "fine",
        SweepVerdict.TooSlow => "too slow",
        _ => "diverged",
    };
}
