using System.Globalization;
using ScottPlot;

namespace GradientDescent.Samples.MnistSample;

/// <summary>The loss and accuracy per epoch as a PNG: loss on the left axis, accuracies (%) on the right.</summary>
internal static class CurvePlot
{
    internal static void Save(string path, IReadOnlyList<EpochResult> results, string data, TwoLayerNetOptions net, TrainerOptions trainer, ComputeDevice device)
    {
        double[] epochs = [.. results.Select(r => (double)r.Epoch)];
        var plot = new Plot();

        var loss = plot.Add.Scatter(epochs, [.. results.Select(r => r.MeanLoss)]);
        loss.LegendText = "mean training loss";
        loss.Color = Colors.Black;

        var train = plot.Add.Scatter(epochs, [.. results.Select(r => 100 * r.TrainAccuracy)]);
        train.LegendText = "train accuracy (%)";
        train.Axes.YAxis = plot.Axes.Right;
        train.Color = Colors.SteelBlue;

        var test = plot.Add.Scatter(epochs, [.. results.Select(r => 100 * r.TestAccuracy)]);
        test.LegendText = "test accuracy (%)";
        test.Axes.YAxis = plot.Axes.Right;
        test.Color = Colors.OrangeRed;

        string batch = trainer.BatchSize == 0 ? "full batch" : $"batch {trainer.BatchSize}";
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"TwoLayerNet {net.Inputs}-{net.Hidden}-{net.Classes} on {data} · {batch}, lr {trainer.LearningRate}, init {net.Init} · {device.Name}"));
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.YLabel("mean training loss");
        plot.Axes.Right.Label.Text = "accuracy (%)";
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, 900, 540);
    }
}
