using System.Diagnostics;
using System.Globalization;

namespace GradientDescent.Benchmarks.Report;

/// <summary>
/// The <c>phases</c> command: where a host-path <see cref="TwoLayerNet.TrainStep"/> spends its time. For each
/// batch size, a 784→100→10 network steps on random MNIST-shaped data for two seconds of warm-up, then for the
/// given number of steps with the network's phase clock on; prints each phase's minimum and median, and its
/// share of the median step, as Markdown.
/// </summary>
public static class PhasesRunner
{
    private const string Usage =
        "phases [--batch N[,N...]] [--steps N]\n"
        + "  Times each phase of the host path's TwoLayerNet.TrainStep (784→100→10, random data) and prints a Markdown\n"
        + "  table per batch size: minimum and median over the steps, and each median's share of the median step.\n"
        + "  Defaults: --batch 64,8000, --steps 400.";

    /// <summary>Runs the command; returns the process exit code (2 for bad arguments).</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var unknown = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a is not ("--batch" or "--steps" or "--help")).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"error: unknown option {string.Join(", ", unknown)}.\n{Usage}");
            return 2;
        }

        string batchText = CommandLine.Option(args, "--batch") ?? "64,8000";
        var batches = batchText.Split(',').Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : 0).ToList();
        if (batches.Any(b => b < 1))
        {
            Console.Error.WriteLine($"error: --batch must be whole numbers of at least 1, separated by commas, but is '{batchText}'.");
            return 2;
        }

        string stepsText = CommandLine.Option(args, "--steps") ?? "400";
        if (!int.TryParse(stepsText, NumberStyles.None, CultureInfo.InvariantCulture, out int steps) || steps < 1)
        {
            Console.Error.WriteLine($"error: --steps must be a whole number of at least 1, but is '{stepsText}'.");
            return 2;
        }

        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Host });
        Console.WriteLine($"# Phases of a host training step");
        Console.WriteLine();
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} logical cores, {device}, {steps} steps after 2 s of warm-up.");
        foreach (int batch in batches)
        {
            Print(device, batch, steps);
        }

        return 0;
    }

    private static void Print(ComputeDevice device, int batch, int steps)
    {
        var random = new Random(batch);
        using var x = Tensor.FromArray(device, [.. Enumerable.Range(0, batch * 784).Select(_ => (float)random.NextDouble())], batch, 784);
        using var labels = Labels.FromArray(device, [.. Enumerable.Range(0, batch).Select(_ => random.Next(10))], 10);
        using var net = new TwoLayerNet(device);
        // The benchmarks' learning rate: every step does the same work, whatever the weights.
        var sgd = new SgdStep(0.01f);
        var phases = new StepPhases();
        net.Phases = phases;
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 2)
        {
            net.TrainStep(x, labels, sgd);
        }

        phases.Clear();
        for (int s = 0; s < steps; s++)
        {
            net.TrainStep(x, labels, sgd);
        }

        var recorded = phases.Phases.ToList();
        var rows = recorded.Select(p => (p.Name, Sorted: p.Milliseconds.Order().ToArray())).ToList();
        double[] totals = [.. Enumerable.Range(0, steps).Select(s => recorded.Sum(p => p.Milliseconds[s])).Order()];
        double medianStep = totals[steps / 2];
        Console.WriteLine();
        Console.WriteLine($"## Batch {batch}: median step {Format(medianStep)}, fastest {Format(totals[0])}");
        Console.WriteLine();
        Console.WriteLine("| phase | min | median | share of the median step |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, sorted) in rows)
        {
            Console.WriteLine($"| {name} | {Format(sorted[0])} | {Format(sorted[steps / 2])} | {sorted[steps / 2] / medianStep * 100:F1}% |");
        }
    }

    private static string Format(double milliseconds) =>
        milliseconds >= 1 ? $"{milliseconds:F2} ms" : $"{milliseconds * 1000:F1} µs";
}
