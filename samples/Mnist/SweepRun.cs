using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace GradientDescent.Samples.MnistSample;

/// <summary>
/// The <c>sweep</c> command: one run per learning rate from the same initial weights and shuffles,
/// the loss of the whole training set after every epoch, a verdict per rate, a PNG and two CSVs.
/// </summary>
internal static class SweepRun
{
    internal static int Run(SweepSettings settings, CancellationToken cancel)
    {
        AnsiConsole.Write(new Rule("[bold]GradientDescent · learning-rate sweep[/]").LeftJustified());
        return Shared.RunOnData(settings.Device, settings.DataFolder, (device, data) => Sweep(settings, device, data, cancel));
    }

    private static int Sweep(SweepSettings settings, ComputeDevice device, MnistSplit data, CancellationToken cancel)
    {
        var netOptions = new TwoLayerNetOptions { Inputs = data.Train.Images.Shape[1], Hidden = settings.Hidden, Classes = Mnist.Classes, Seed = settings.Seed };
        AnsiConsole.WriteLine(
            $"{data.Description}; TwoLayerNet {netOptions.Inputs} → {netOptions.Hidden} → {netOptions.Classes}, He init, seed {settings.Seed}, "
            + $"{(settings.BatchSize == 0 ? "full batch" : $"batch {settings.BatchSize}")}, {settings.Epochs} epochs per rate");
        var curves = new List<SweepCurve>();
        try
        {
            foreach (float rate in settings.Rates)
            {
                var curve = TrainOne(device, data, netOptions, settings, rate, cancel);
                curves.Add(curve);
                AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"lr {rate,-6}  loss {curve.Initial:0.0000} → {curve.Final:0.0000}  after {curve.Epochs.Count} epoch(s)  {curve.Seconds:0.0} s"));
            }
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]Cancelled; nothing written.[/]");
            return 130;
        }

        var verdicts = SweepVerdicts.Judge(curves, settings.SlowRatio);
        ShowTable(curves, verdicts);
        string folder = settings.OutputFolder ?? Path.Combine(Directory.GetCurrentDirectory(), "out", "sweep");
        try
        {
            Directory.CreateDirectory(folder);
            string summary = Path.Combine(folder, "sweep-summary.csv");
            File.WriteAllLines(summary, ["learning_rate,initial_loss,final_loss,final_test_accuracy,epochs_run,verdict,seconds",
                .. curves.Select((c, i) => string.Create(CultureInfo.InvariantCulture,
                    $"{c.Rate:R},{c.Initial:R},{c.Final:R},{FinalAccuracy(c):R},{c.Epochs.Count},{SweepVerdicts.Name(verdicts[i])},{c.Seconds:0.###}"))]);
            string history = Path.Combine(folder, "sweep-curves.csv");
            File.WriteAllLines(history, ["learning_rate,step,epoch,train_loss,mean_batch_loss,test_accuracy", .. curves.SelectMany(CurveRows)]);
            string picture = Path.Combine(folder, "sweep.png");
            SweepPlot.Save(picture, curves, verdicts, settings, Shared.DataName(settings.DataFolder));
            AnsiConsole.MarkupLineInterpolated($"Summary [green]{summary}[/]");
            AnsiConsole.MarkupLineInterpolated($"Curves  [green]{history}[/]");
            AnsiConsole.MarkupLineInterpolated($"Plot    [green]{picture}[/]");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Shared.Fail($"cannot write to {folder}: {e.Message}");
        }

        return 0;
    }

    /// <summary>
    /// Trains a fresh net (the same initial weights for every rate) and measures the whole training set's loss
    /// after the steps <see cref="Checkpoints"/> names. A non-finite loss stops the run: the weights are NaN from then on.
    /// </summary>
    private static SweepCurve TrainOne(ComputeDevice device, MnistSplit data, TwoLayerNetOptions netOptions, SweepSettings settings, float rate, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        using var net = new TwoLayerNet(device, netOptions);
        double initial = TrainingLoss(net, data.Train);
        var steps = new List<int>();
        var losses = new List<double>();
        var epochs = new List<(double, double)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var trainer = new Trainer(net, new TrainerOptions
        {
            Epochs = settings.Epochs, BatchSize = settings.BatchSize, LearningRate = rate, Seed = settings.Seed, EvaluateTrainAccuracy = false,
        });
        int n = data.Train.Count;
        int batch = settings.BatchSize == 0 ? n : Math.Min(settings.BatchSize, n);
        int stepsPerEpoch = (n + batch - 1) / batch;
        var progress = new SyncProgress(p =>
        {
            int step = ((p.Epoch - 1) * p.Steps) + p.Step;
            if (p.Completed is { } result)
            {
                epochs.Add((result.MeanLoss, result.TestAccuracy));
            }
            else if (Checkpoints(step, p.Steps))
            {
                // Called on the training thread between two steps, so the weights are those after this step.
                double loss = TrainingLoss(net, data.Train);
                steps.Add(step);
                losses.Add(loss);
                if (!double.IsFinite(loss))
                {
                    stop.Cancel();
                }
            }
        });
        try
        {
            trainer.Fit(data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels, progress, stop.Token);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            // Stopped above on a non-finite loss: the run diverged, and its curve ends there.
        }
        catch (NonFiniteValueException)
        {
            // With CheckNumerics on (GRADIENTDESCENT_CHECK_NUMERICS=1) the first NaN or ±∞ throws instead.
            losses.Add(double.NaN);
            steps.Add(steps.Count > 0 ? steps[^1] + 1 : 1);
        }

        return new SweepCurve(rate, initial, steps, losses, epochs, stepsPerEpoch, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Whether to measure after global step <paramref name="step"/>: powers of two within the first epoch, then every epoch's end.</summary>
    private static bool Checkpoints(int step, int stepsPerEpoch) =>
        step % stepsPerEpoch == 0 || (step < stepsPerEpoch && (step & (step - 1)) == 0);

    /// <summary>The rows of sweep-curves.csv: step 0, then each measurement; epoch ends also carry the epoch's mean batch loss and test accuracy.</summary>
    private static IEnumerable<string> CurveRows(SweepCurve c)
    {
        yield return string.Create(CultureInfo.InvariantCulture, $"{c.Rate:R},0,0,{c.Initial:R},,");
        for (int i = 0; i < c.Losses.Count; i++)
        {
            int step = c.Steps[i];
            bool end = c.StepsPerEpoch > 0 && step % c.StepsPerEpoch == 0 && step / c.StepsPerEpoch <= c.Epochs.Count;
            var (batchLoss, accuracy) = end ? c.Epochs[(step / c.StepsPerEpoch) - 1] : (double.NaN, double.NaN);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{c.Rate:R},{step},{(double)step / c.StepsPerEpoch:0.####},{c.Losses[i]:R},{(end ? batchLoss.ToString("R", CultureInfo.InvariantCulture) : "")},{(end ? accuracy.ToString("R", CultureInfo.InvariantCulture) : "")}");
        }
    }

    private static double FinalAccuracy(SweepCurve curve) => curve.Epochs.Count > 0 ? curve.Epochs[^1].TestAccuracy : double.NaN;

    private static double TrainingLoss(TwoLayerNet net, MnistSet set)
    {
        try
        {
            using var loss = net.Loss(set.Images, set.Labels);
            return loss.Item();
        }
        catch (NonFiniteValueException)
        {
            return double.NaN;
        }
    }

    private static void ShowTable(List<SweepCurve> curves, SweepVerdict[] verdicts)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Learning rates[/]")
            .AddColumn(new TableColumn("lr").RightAligned()).AddColumn(new TableColumn("initial loss").RightAligned())
            .AddColumn(new TableColumn("final loss").RightAligned()).AddColumn(new TableColumn("test acc").RightAligned())
            .AddColumn("verdict").AddColumn(new TableColumn("seconds").RightAligned());
        for (int i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            string colour = verdicts[i] switch { SweepVerdict.Diverged => "red", SweepVerdict.TooSlow => "yellow", SweepVerdict.Best => "green", _ => "default" };
            table.AddRow(
                Shared.Number(c.Rate, "G4"), Shared.Number(c.Initial, "0.0000"), Shared.Number(c.Final, "0.0000"),
                Shared.Percent(FinalAccuracy(c)),
                $"[{colour}]{SweepVerdicts.Name(verdicts[i])}[/]", Shared.Number(c.Seconds, "0.0"));
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture,
            $"diverged: a loss not finite or above {SweepVerdicts.DivergedRatio}× the initial, or a final loss not below it; too slow: a final loss above --slow-ratio × the best"));
        AnsiConsole.Write(table);
    }

    /// <summary>Reports on the training thread, in order, between steps.</summary>
    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
