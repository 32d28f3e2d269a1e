using System.CommandLine;
using System.CommandLine.Parsing;

namespace GradientDescent.Samples.MnistSample;

/// <summary>The command line: the root command trains, <c>evaluate</c> measures a saved model, <c>sweep</c> compares learning rates.</summary>
internal static class MnistCommands
{
    internal static RootCommand Build()
    {
        var defaults = new TrainerOptions();
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = "Folder with the standard MNIST files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
                + "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]). Default: the 10,000 digits of "
                + $"the GradientDescent.Mnist10k package (beside the app), first {Mnist.SampleTrainCount} train, last 2000 test.",
            HelpName = "DIR",
        };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => defaults.Epochs };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Examples per gradient step; 0 = the full training set per step (the original tutorial's full-batch gradient descent).",
            DefaultValueFactory = _ => defaults.BatchSize,
        };
        var learningRate = new Option<float>("--lr") { Description = "Learning rate of plain gradient descent.", DefaultValueFactory = _ => defaults.LearningRate };
        var hidden = new Option<int>("--hidden") { Description = "Hidden ReLU units.", DefaultValueFactory = _ => 100 };
        var device = DeviceOption();
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and of the shuffles; the same seed repeats a run exactly on the same device.", DefaultValueFactory = _ => 0 };
        var init = new Option<string>("--init")
        {
            Description = "Weight initialisation: he = N(0, 2/fan_in); seed = the tutorial's N(0, 1)·1e-4.",
            DefaultValueFactory = _ => "he",
        };
        init.AcceptOnlyFromAmong("he", "seed");
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder for the model, the curve and the history. Default: out/mnist in the repository (or the current folder).", HelpName = "DIR" };

        AtLeast(epochs, 1);
        AtLeast(batchSize, 0);
        AtLeast(hidden, 1);
        learningRate.Validators.Add(result =>
        {
            if (Parsed<float>(result) is float value && (!float.IsFinite(value) || value <= 0))
            {
                result.AddError($"--lr must be positive and finite, but is {value}.");
            }
        });

        var root = new RootCommand(
            "Trains TwoLayerNet 784 → hidden → 10 on MNIST with mini-batch gradient descent on the best accelerator present, "
            + "then writes the model, a loss/accuracy curve (PNG) and the per-epoch history (CSV).")
        {
            data, epochs, batchSize, learningRate, hidden, device, seed, init, output,
        };
        // Training runs off the invoking thread, so that System.CommandLine can see its task and, on Ctrl+C,
        // cancel the token and wait for it to stop and save instead of ending the process at once.
        root.SetAction((parse, cancel) => Task.Run(() => TrainRun.Run(new TrainSettings(
            parse.GetValue(data)?.FullName,
            parse.GetValue(epochs),
            parse.GetValue(batchSize),
            parse.GetValue(learningRate),
            parse.GetValue(hidden),
            parse.GetValue(device),
            parse.GetValue(seed),
            parse.GetValue(init) == "seed" ? WeightInit.Tutorial : WeightInit.He,
            parse.GetValue(output)?.FullName), cancel), CancellationToken.None));
        root.Subcommands.Add(EvaluateCommand());
        root.Subcommands.Add(SweepCommand.Build(DeviceOption()));
        return root;
    }

    private static Command EvaluateCommand()
    {
        var model = new Option<FileInfo>("--model") { Description = "A model saved by training (mnist-model.gdm).", Required = true, HelpName = "FILE" };
        var images = new Option<FileInfo?>("--images") { Description = "IDX images file (raw or .gz). Default: the shipped held-out 2000 digits.", HelpName = "FILE" };
        var labels = new Option<FileInfo?>("--labels") { Description = "IDX labels file matching --images.", HelpName = "FILE" };
        var device = DeviceOption();
        var command = new Command("evaluate", "Loads a saved model and reports its accuracy on an IDX images + labels pair.")
        {
            model, images, labels, device,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(images) is null) != (result.GetResult(labels) is null))
            {
                result.AddError("Give --images and --labels together, or neither (for the shipped held-out digits).");
            }
        });
        command.SetAction(parse => EvaluateRun.Run(
            parse.GetRequiredValue(model).FullName,
            parse.GetValue(images)?.FullName,
            parse.GetValue(labels)?.FullName,
            parse.GetValue(device)));
        return command;
    }

    internal static Option<string?> DeviceOption()
    {
        var device = new Option<string?>("--device")
        {
            Description = $"cpu, cuda or opencl, optionally with an index (cuda:1). Default: ${ComputeDeviceOptions.DeviceVariable}, else the best present (CUDA, OpenCL, CPU).",
            HelpName = "KIND[:N]",
        };
        device.Validators.Add(result =>
        {
            try
            {
                ComputeDeviceOptions.Parse(result.GetValueOrDefault<string?>() ?? "");
            }
            catch (ArgumentException e)
            {
                result.AddError(e.Message.Split(" (Parameter", 2)[0]);
            }
        });
        return device;
    }

    private static void AtLeast(Option<int> option, int minimum) =>
        option.Validators.Add(result =>
        {
            if (Parsed<int>(result) is int value && value < minimum)
            {
                result.AddError($"{option.Name} must be at least {minimum}, but is {value}.");
            }
        });

    /// <summary>
    /// The option's value, or null when its text does not convert (System.CommandLine reports that error
    /// itself; asking for the value would throw instead).
    /// </summary>
    private static T? Parsed<T>(OptionResult result)
        where T : struct
    {
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
