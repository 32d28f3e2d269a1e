using System.CommandLine;
using System.Globalization;

namespace GradientDescent.Samples.MnistSample;

/// <summary>The parsed options of a learning-rate sweep.</summary>
internal sealed record SweepSettings(
    IReadOnlyList<float> Rates, string? DataFolder, int Epochs, int BatchSize, int Hidden, string? Device, ulong Seed, double SlowRatio, string? OutputFolder);

/// <summary><c>sweep</c>: the same net, data and seed trained once per learning rate, to compare the loss curves.</summary>
internal static class SweepCommand
{
    internal const string DefaultRates = "0.01,0.1,0.5,2,8";

    internal static Command Build(Option<string?> device)
    {
        var rates = new Option<string>("--lr")
        {
            Description = "Comma-separated learning rates, each positive and finite; one run per rate.",
            DefaultValueFactory = _ => DefaultRates,
            HelpName = "X,Y,...",
        };
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = $"Folder with the standard MNIST files, as for training. Default: the shipped 10,000 digits, first {Mnist.SampleTrainCount} train.",
            HelpName = "DIR",
        };
        // Five rates × 10 epochs of the 8000 shipped digits take well under a minute on two CPU cores.
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set for every rate.", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per gradient step; 0 = full batch.", DefaultValueFactory = _ => 64 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden ReLU units.", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and shuffles, the same for every rate.", DefaultValueFactory = _ => 0 };
        var slowRatio = new Option<double>("--slow-ratio")
        {
            Description = "A run that did not diverge is too slow when its final loss is above this many times the lowest final loss of the sweep.",
            DefaultValueFactory = _ => SweepVerdicts.DefaultSlowRatio,
        };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder for sweep.png and the CSVs. Default: out/sweep.", HelpName = "DIR" };

        var command = new Command("sweep",
            "Trains the same net from the same seed once per learning rate, draws the loss curves and the final loss against the rate, "
            + "and marks the rates that diverged or learned too slowly (PNG + CSV).")
        {
            rates, data, epochs, batchSize, hidden, device, seed, slowRatio, output,
        };
        // Checked in the action rather than by validators, so a bad value is one line and exit code 2.
        command.SetAction((parse, cancel) =>
        {
            string? error = ParseRates(parse.GetValue(rates) ?? DefaultRates, out var parsed)
                ?? AtLeast(epochs.Name, parse.GetValue(epochs), 1)
                ?? AtLeast(batchSize.Name, parse.GetValue(batchSize), 0)
                ?? AtLeast(hidden.Name, parse.GetValue(hidden), 1)
                ?? CheckSlowRatio(parse.GetValue(slowRatio));
            if (error is not null)
            {
                return Task.FromResult(Shared.Fail(error, Shared.UsageError));
            }

            var settings = new SweepSettings(parsed, parse.GetValue(data)?.FullName, parse.GetValue(epochs), parse.GetValue(batchSize),
                parse.GetValue(hidden), parse.GetValue(device), parse.GetValue(seed), parse.GetValue(slowRatio), parse.GetValue(output)?.FullName);
            return Task.Run(() => SweepRun.Run(settings, cancel), CancellationToken.None);
        });
        return command;
    }

    /// <summary>Parses "0.01,0.1,0.5": returns null and the rates, or a one-line error.</summary>
    internal static string? ParseRates(string text, out List<float> rates)
    {
        rates = [];
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out float rate) || !float.IsFinite(rate) || rate <= 0)
            {
                return $"--lr: '{part}' is not a positive finite number.";
            }

            if (rates.Contains(rate))
            {
                return $"--lr lists {part} twice.";
            }

            rates.Add(rate);
        }

        return null;
    }

    private static string? AtLeast(string name, int value, int minimum) =>
        value < minimum ? $"{name} must be at least {minimum}, but is {value}." : null;

    private static string? CheckSlowRatio(double value) =>
        double.IsFinite(value) && value > 1 ? null
            : $"--slow-ratio must be a finite number above 1, but is {value.ToString(CultureInfo.InvariantCulture)}.";
}
