using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace GradientDescent.Samples.MnistSample;

/// <summary>The <c>evaluate</c> command: a saved model's accuracy on an IDX images + labels pair.</summary>
internal static class EvaluateRun
{
    internal static int Run(string modelPath, string? imagesPath, string? labelsPath, string? deviceSpecification)
    {
        AnsiConsole.Write(new Rule("[bold]GradientDescent · MNIST · evaluate[/]").LeftJustified());
        MnistData data;
        try
        {
            if (imagesPath is null || labelsPath is null)
            {
                var all = Mnist10k.Read();
                data = all.Slice(Mnist.SampleTrainCount, all.Count - Mnist.SampleTrainCount);
            }
            else
            {
                data = MnistData.Read(imagesPath, labelsPath);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataFormatException or UnauthorizedAccessException)
        {
            return Shared.Fail($"cannot load the images: {e.Message}", Shared.DataError);
        }

        ComputeDevice device;
        try
        {
            device = Shared.CreateDevice(deviceSpecification);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return Shared.Fail(e.Message);
        }

        using (device)
        {
            TwoLayerNet net;
            try
            {
                net = TwoLayerNet.Load(device, modelPath);
            }
            catch (Exception e) when (e is IOException or InvalidDataFormatException or UnauthorizedAccessException or ArgumentException)
            {
                return Shared.Fail($"cannot load the model: {e.Message}", Shared.DataError);
            }

            using (net)
            {
                var o = net.Options;
                if (o.Inputs != data.Features || o.Classes != Mnist.Classes)
                {
                    return Shared.Fail(
                        $"the model takes {o.Inputs} inputs and predicts {o.Classes} classes, but the images have {data.Features} pixels and MNIST has {Mnist.Classes} digits.",
                        Shared.DataError);
                }

                using var set = data.ToDevice(device);
                var clock = Stopwatch.StartNew();
                double accuracy = net.Accuracy(set.Images, set.Labels);
                clock.Stop();
                Report(modelPath, net, data, accuracy, clock.Elapsed);
                return 0;
            }
        }
    }

    private static void Report(string modelPath, TwoLayerNet net, MnistData data, double accuracy, TimeSpan elapsed)
    {
        var o = net.Options;
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Evaluation[/]").AddColumns("", "");
        table.HideHeaders();
        table.AddRow("model", Markup.Escape($"{modelPath}: TwoLayerNet {o.Inputs} → {o.Hidden} → {o.Classes}{(o.UseBias ? "" : " (no biases)")}"));
        table.AddRow("data", Markup.Escape($"{data.Source}: {data.Count} images of {data.ImageRows}×{data.ImageColumns}"));
        table.AddRow("accuracy", $"[bold]{Shared.Percent(accuracy)}[/] ({Math.Round(accuracy * data.Count).ToString(CultureInfo.InvariantCulture)} of {data.Count} correct)");
        table.AddRow("time", Shared.Number(elapsed.TotalSeconds, "0.00") + " s");
        AnsiConsole.Write(table);
    }
}
