using System.Globalization;
using ScottPlot;

namespace GradientDescent.Samples.MnistSample;

/// <summary>
/// The sweep as one PNG: on the left the training loss of every rate against the step, overlaid; on the
/// right the final loss against the rate. Every axis is logarithmic: the rates span decades, a crawling run
/// and a good one end a decade apart, and a large rate does its damage in the first few steps.
/// </summary>
internal static class SweepPlot
{
    internal static void Save(string path, IReadOnlyList<SweepCurve> curves, SweepVerdict[] verdicts, SweepSettings settings, string data)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var finite = curves.SelectMany(c => c.Losses.Append(c.Initial)).Where(double.IsFinite).ToArray();
        double top = Math.Log10(finite.Max()) + 0.15;
        double bottom = Math.Log10(finite.Min()) - 0.15;
        int lastStep = curves.Max(c => c.Epochs.Count * c.StepsPerEpoch);
        var finiteFinals = curves.Select(c => c.Final).Where(double.IsFinite).Append(curves[0].Initial).ToArray();
        double finalsTop = Math.Log10(finiteFinals.Max()) + 0.3;
        double finalsBottom = Math.Log10(finiteFinals.Min()) - 0.3;

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var losses = multiplot.GetPlot(0);
        var finals = multiplot.GetPlot(1);

        var start = losses.Add.HorizontalLine(Math.Log10(curves[0].Initial), 1, Colors.Gray, LinePattern.Dashed);
        start.LegendText = string.Create(CultureInfo.InvariantCulture, $"initial loss {curves[0].Initial:0.000}");
        for (int i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            var color = palette.GetColor(i);
            int shown = c.Losses.TakeWhile(double.IsFinite).Count();
            double[] xs = [.. c.Steps.Take(shown).Select(step => Math.Log10(step))];
            double[] ys = [.. c.Losses.Take(shown).Select(Math.Log10)];
            var line = losses.Add.Scatter(xs, ys);
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 5;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"lr {c.Rate}: {Describe(c, verdicts[i])}");
            if (shown < c.Losses.Count)
            {
                // Where the loss stopped being a number: a cross at the top, at that step.
                double x = Math.Log10(c.Steps[shown]);
                losses.Add.Marker(x, top, MarkerShape.Eks, 12, color);
                var label = losses.Add.Text("NaN", x, top);
                label.LabelFontColor = color;
                label.LabelFontSize = 12;
            }

            double rate = Math.Log10(c.Rate);
            bool diverged = verdicts[i] == SweepVerdict.Diverged;
            double y = double.IsFinite(c.Final) ? Math.Log10(c.Final) : finalsTop - 0.1;
            finals.Add.Marker(rate, y, diverged ? MarkerShape.Eks : MarkerShape.FilledCircle, 12, color);
            var note = finals.Add.Text(SweepVerdicts.Name(verdicts[i]), rate, y);
            note.LabelFontColor = color;
            note.LabelFontSize = 13;
            note.OffsetY = 8;
        }

        string batch = settings.BatchSize == 0 ? "full batch" : $"batch {settings.BatchSize}";
        losses.Title(string.Create(CultureInfo.InvariantCulture, $"Training loss, {data}, {batch}, seed {settings.Seed}"));
        losses.XLabel(string.Create(CultureInfo.InvariantCulture, $"gradient steps (log scale; {curves[0].StepsPerEpoch} per epoch)"));
        losses.YLabel("loss on the whole training set (log scale)");
        losses.Axes.Bottom.TickGenerator = LogTicks();
        losses.Axes.Left.TickGenerator = LogTicks();
        losses.Axes.SetLimits(-0.1, Math.Log10(Math.Max(lastStep, 2)) + 0.1, bottom, top + 0.1);
        losses.ShowLegend(Alignment.LowerLeft);

        finals.Title(string.Create(CultureInfo.InvariantCulture, $"Final loss after {settings.Epochs} epochs"));
        finals.XLabel("learning rate (log scale)");
        finals.YLabel("final loss (log scale); × = diverged, NaN at the top");
        finals.Axes.Bottom.TickGenerator = LogTicks();
        finals.Axes.Left.TickGenerator = LogTicks();
        double left = Math.Log10(curves.Min(c => c.Rate)) - 0.3;
        double right = Math.Log10(curves.Max(c => c.Rate)) + 0.6;
        finals.Axes.SetLimits(left, right, finalsBottom, finalsTop);
        var initialLine = finals.Add.HorizontalLine(Math.Log10(curves[0].Initial), 1, Colors.Gray, LinePattern.Dashed);
        initialLine.LegendText = "initial loss";
        int best = Array.IndexOf(verdicts, SweepVerdict.Best);
        if (best >= 0)
        {
            var slow = finals.Add.HorizontalLine(Math.Log10(settings.SlowRatio * curves[best].Final), 1, Colors.DarkGoldenRod, LinePattern.Dotted);
            slow.LegendText = string.Create(CultureInfo.InvariantCulture, $"{settings.SlowRatio} × the best: too slow above");
        }

        finals.ShowLegend(Alignment.UpperLeft);
        multiplot.SavePng(path, 1400, 560);
    }

    private static string Describe(SweepCurve curve, SweepVerdict verdict) => verdict switch
    {
        SweepVerdict.Diverged when !double.IsFinite(curve.Final) => "diverged (NaN)",
        SweepVerdict.Diverged => string.Create(CultureInfo.InvariantCulture, $"diverged (loss rose to {curve.Losses.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max():0.#}), final {curve.Final:0.000}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{SweepVerdicts.Name(verdict)}, final {curve.Final:0.000}"),
    };

    /// <summary>Ticks for an axis that carries log10 of the values: labels 0.01, 0.1, 1, 10, with minor ticks at 2..9.</summary>
    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = value => Math.Pow(10, value).ToString(Math.Abs(value) <= 4 ? "0.####" : "0E+0", CultureInfo.InvariantCulture),
    };
}
