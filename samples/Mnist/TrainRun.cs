using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace GradientDescent.Samples.MnistSample;

/// <summary>The training command: device, data, hyper-parameters, live progress, results and files.</summary>
internal static class TrainRun
{
    internal static int Run(TrainSettings settings, CancellationToken cancel)
    {
        AnsiConsole.Write(new Rule("[bold]GradientDescent · MNIST[/]").LeftJustified());
        // Before any training: a run that cannot save its results should not spend minutes first.
        if (Shared.CheckOutputFolder(OutputFolder(settings)) is { } problem)
        {
            return Shared.Fail(problem, Shared.UsageError);
        }

        return Shared.RunOnData(settings.Device, settings.DataFolder, (device, data) => Train(settings, device, data, cancel));
    }

    private static int Train(TrainSettings settings, ComputeDevice device, MnistSplit data, CancellationToken cancel)
    {
        ShowData(data);
        var netOptions = new TwoLayerNetOptions { Inputs = data.Train.Images.Shape[1], Hidden = settings.Hidden, Classes = Mnist.Classes, Init = settings.Init, Seed = settings.Seed };
        var trainerOptions = new TrainerOptions
        {
            Epochs = settings.Epochs, BatchSize = settings.BatchSize, LearningRate = settings.LearningRate, Seed = settings.Seed,
        };
        ShowHyperParameters(netOptions, trainerOptions, data.Train.Count);

        using var net = new TwoLayerNet(device, netOptions);
        var trainer = new Trainer(net, trainerOptions);
        var completed = new List<EpochResult>();
        var clock = Stopwatch.StartNew();
        bool cancelled = false;
        try
        {
            TrainWithProgress(trainer, data, completed, cancel);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
            AnsiConsole.MarkupLine($"[yellow]Cancelled after {completed.Count} complete epoch(s); saving what was trained so far.[/]");
        }

        clock.Stop();
        if (completed.Count > 0)
        {
            ShowEpochs(completed);
            ShowSummary(completed, clock.Elapsed);
        }

        WriteOutputs(settings, net, completed, netOptions, trainerOptions, device);
        return cancelled ? 130 : 0;
    }

    private static void ShowData(MnistSplit data)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Data[/]").AddColumns("", "");
        table.HideHeaders();
        table.AddRow("source", Markup.Escape(data.Description));
        table.AddRow("train", $"{data.Train.Count} images → tensor {data.Train.Images.ShapeText}, pixels scaled to [[0, 1]]");
        table.AddRow("test", $"{data.Test.Count} images → tensor {data.Test.Images.ShapeText}");
        AnsiConsole.Write(table);
    }

    private static void ShowHyperParameters(TwoLayerNetOptions net, TrainerOptions trainer, int trainCount)
    {
        int batch = trainer.BatchSize == 0 ? trainCount : Math.Min(trainer.BatchSize, trainCount);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Hyper-parameters[/]").AddColumns("", "");
        table.HideHeaders();
        table.AddRow("network", $"TwoLayerNet {net.Inputs} → {net.Hidden} (ReLU) → {net.Classes}, softmax cross-entropy");
        table.AddRow("init", net.Init == WeightInit.He ? "he: N(0, 2/fan_in), biases 0" : "seed: N(0, 1)·1e-4 (the tutorial's), biases 0");
        table.AddRow("optimiser", "plain gradient descent, w −= lr·dw");
        table.AddRow("learning rate", Shared.Number(trainer.LearningRate, "0.####"));
        table.AddRow("batch size", trainer.BatchSize == 0 ? $"full batch ({trainCount})" : $"{batch}, reshuffled every epoch");
        table.AddRow("epochs", $"{trainer.Epochs} × {(trainCount + batch - 1) / batch} steps");
        table.AddRow("seed", trainer.Seed.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }

    private static void TrainWithProgress(Trainer trainer, MnistSplit data, List<EpochResult> completed, CancellationToken cancel)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output: one line per epoch instead of redrawn bars.
            var lines = new SyncProgress(p =>
            {
                if (p.Completed is { } r)
                {
                    completed.Add(r);
                    AnsiConsole.WriteLine(EpochLine(r));
                }
            });
            trainer.Fit(data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels, lines, cancel);
            return;
        }

        int epochs = trainer.Options.Epochs;
        bool many = epochs > 20;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(many)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var overall = many ? context.AddTask("all epochs", maxValue: epochs) : null;
                ProgressTask? task = null;
                int taskEpoch = 0;
                var bars = new SyncProgress(p =>
                {
                    if (task is null || taskEpoch != p.Epoch)
                    {
                        task = context.AddTask($"Epoch {p.Epoch}/{p.Epochs}", maxValue: p.Steps);
                        taskEpoch = p.Epoch;
                    }

                    task.Value = p.Step;
                    if (p.Completed is { } r)
                    {
                        completed.Add(r);
                        task.Description = Markup.Escape(EpochLine(r));
                        task.StopTask();
                        if (overall is not null)
                        {
                            overall.Increment(1);
                            overall.Description = Markup.Escape($"all epochs · last: {EpochLine(r)}");
                        }
                    }
                });
                trainer.Fit(data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels, bars, cancel);
            });
    }

    private static string EpochLine(EpochResult r) => string.Create(CultureInfo.InvariantCulture,
        $"Epoch {r.Epoch}/{r.Epochs}  loss {r.MeanLoss:0.0000}  train {Shared.Percent(r.TrainAccuracy)}  test {Shared.Percent(r.TestAccuracy)}  {r.Elapsed.TotalSeconds:0.0} s");

    private static void ShowEpochs(List<EpochResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Epochs[/]")
            .AddColumn("epoch").AddColumn(new TableColumn("mean loss").RightAligned()).AddColumn(new TableColumn("train acc").RightAligned())
            .AddColumn(new TableColumn("test acc").RightAligned()).AddColumn(new TableColumn("seconds").RightAligned());
        int stride = Math.Max(1, (int)Math.Ceiling(results.Count / 25.0));
        for (int i = 0; i < results.Count; i++)
        {
            if (i % stride != 0 && i != results.Count - 1)
            {
                continue;
            }

            var r = results[i];
            table.AddRow(r.Epoch.ToString(CultureInfo.InvariantCulture), Shared.Number(r.MeanLoss, "0.0000"), Shared.Percent(r.TrainAccuracy),
                Shared.Percent(r.TestAccuracy), Shared.Number(r.Elapsed.TotalSeconds, "0.0"));
        }

        if (stride > 1)
        {
            table.Caption($"every {stride} epochs, and the last");
        }

        AnsiConsole.Write(table);
    }

    private static void ShowSummary(List<EpochResult> results, TimeSpan elapsed)
    {
        var last = results[^1];
        var best = results.MaxBy(r => r.TestAccuracy)!;
        double steps = results.Sum(r => r.Steps);
        double trainSeconds = results.Sum(r => r.TrainTime.TotalSeconds);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]").AddColumns("", "");
        table.HideHeaders();
        table.AddRow("final test accuracy", $"[bold]{Shared.Percent(last.TestAccuracy)}[/] (train {Shared.Percent(last.TrainAccuracy)}, loss {Shared.Number(last.MeanLoss, "0.0000")})");
        table.AddRow("best test accuracy", $"{Shared.Percent(best.TestAccuracy)} at epoch {best.Epoch}");
        table.AddRow("time", $"{Shared.Number(elapsed.TotalSeconds, "0.0")} s in all; {Shared.Number(1000 * trainSeconds / steps, "0.0")} ms per step over {steps} steps");
        AnsiConsole.Write(table);
    }

    private static void WriteOutputs(
        TrainSettings settings, TwoLayerNet net, List<EpochResult> results, TwoLayerNetOptions netOptions, TrainerOptions trainerOptions, ComputeDevice device)
    {
        string folder = OutputFolder(settings);
        try
        {
            Directory.CreateDirectory(folder);
            string model = Path.Combine(folder, "mnist-model.gdm");
            net.Save(model);
            AnsiConsole.MarkupLineInterpolated($"Model   [green]{model}[/]");
            if (results.Count > 0)
            {
                string history = Path.Combine(folder, "mnist-history.csv");
                // seconds is the whole epoch; train_seconds its gradient steps alone, the figure peers report.
                File.WriteAllLines(history, ["epoch,mean_loss,train_accuracy,test_accuracy,seconds,train_seconds",
                    .. results.Select(r => string.Create(CultureInfo.InvariantCulture,
                        $"{r.Epoch},{r.MeanLoss:R},{r.TrainAccuracy:R},{r.TestAccuracy:R},{r.Elapsed.TotalSeconds:0.###},{r.TrainTime.TotalSeconds:0.###}"))]);
                AnsiConsole.MarkupLineInterpolated($"History [green]{history}[/]");
                string curve = Path.Combine(folder, "mnist-curve.png");
                CurvePlot.Save(curve, results, Shared.DataName(settings.DataFolder), netOptions, trainerOptions, device);
                AnsiConsole.MarkupLineInterpolated($"Curve   [green]{curve}[/]");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Shared.Fail($"cannot write to {folder}: {e.Message}");
        }
    }

    private static string OutputFolder(TrainSettings settings) =>
        settings.OutputFolder ?? Path.Combine(Directory.GetCurrentDirectory(), "out", "mnist");

    /// <summary>Reports on the training thread, in order (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
