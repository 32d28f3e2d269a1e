using System.Diagnostics;
using System.Globalization;
using GradientDescent.Benchmarks.Workloads;

namespace GradientDescent.Benchmarks.Report;

/// <summary>
/// The report mode: in-process, Stopwatch-based, no SDK or child processes needed (it is what runs on a
/// GPU machine that has only the .NET runtime). Each workload is warmed up for two seconds, then timed in repeats of
/// enough runs to last ~25 ms each, with the device synchronised before the clock stops; the median
/// repeat is reported as time per run.
/// </summary>
public static class ReportRunner
{
    /// <summary>
    /// Runs the report: <c>report [--device host,emulated,cuda,opencl] [--repeats N] [--quick]
    /// [--filter TEXT] [--json FILE]</c>; the filter keeps workloads whose name or shape contains TEXT.
    /// </summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var unknown = args.Where((a, i) => a.StartsWith('-') && !KnownOptions.Contains(a)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"error: unknown option {string.Join(", ", unknown)}.\n{Usage}");
            return 2;
        }

        string? paths = CommandLine.Option(args, "--device");
        if (!int.TryParse(CommandLine.Option(args, "--repeats") ?? "11", NumberStyles.None, CultureInfo.InvariantCulture, out int repeats) || repeats < 1)
        {
            Console.Error.WriteLine($"error: --repeats must be a whole number of at least 1, but is '{CommandLine.Option(args, "--repeats")}'.");
            return 2;
        }

        bool quick = args.Contains("--quick");
        string? filter = CommandLine.Option(args, "--filter");
        string? jsonPath = CommandLine.Option(args, "--json");
        var results = new List<object>();
        Console.WriteLine($"# GradientDescent benchmark report");
        Console.WriteLine();
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} logical cores, {repeats} repeats, median shown.");
        foreach (var path in BenchmarkPath.Parse(paths))
        {
            using var device = path.CreateDevice();
            var peak = Peak.For(device);
            Console.WriteLine();
            Console.WriteLine($"## {path.Name}: {device}");
            Console.WriteLine();
            Console.WriteLine($"Peak: {Format(peak.Flops / 1e9, "GFLOPS")}, {Format(peak.BytesPerSecond / 1e9, "GB/s")} ({peak.Basis}).");
            Console.WriteLine();
            Console.WriteLine("| operation | shape | time | GFLOPS | GB/s | % of peak |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|");
            foreach (var make in Catalogue.For(path, device, quick))
            {
                using var workload = make();
                if (filter is not null && !Matches(workload, filter))
                {
                    continue;
                }

                var (seconds, fastest) = Measure(workload, repeats);
                Console.WriteLine(Row(workload, seconds, peak));
                results.Add(new { path = path.Name, name = workload.Name, shape = workload.Shape, seconds, fastest, flops = workload.Flops, bytes = workload.Bytes });
            }

            Console.WriteLine();
            foreach (bool tape in filter is null ? new[] { false, true } : [])
            {
                using var step = new TrainingStepWorkload(device, 128, tape);
                step.Run();
                long before = device.KernelLaunches;
                step.Run();
                device.Synchronize();
                long launches = device.KernelLaunches - before;
                Console.WriteLine($"Kernel launches per {step.Name}, batch 128: {(device.UsesHostKernels ? "0 (host path: the same kernel sequence runs as plain calls)" : launches.ToString(CultureInfo.InvariantCulture))}.");
            }
        }

        if (jsonPath is not null)
        {
            File.WriteAllText(jsonPath, System.Text.Json.JsonSerializer.Serialize(results));
        }

        return 0;
    }

    private const string Usage =
        "report [--device host,emulated,cuda,opencl] [--repeats N] [--quick] [--filter TEXT] [--json FILE]\n"
        + "  Times every workload in-process on each path (the device's default when --device is absent) and prints a\n"
        + "  Markdown table: time per run (median of N repeats), GFLOPS, GB/s and the share of the path's peak.\n"
        + "  --filter keeps workloads whose name or shape contains TEXT; --quick skips the large shapes.";

    private static readonly string[] KnownOptions = ["--device", "--repeats", "--quick", "--filter", "--json"];

    /// <summary>Seconds per run: the median repeat (what the table shows) and the fastest (in the JSON).</summary>
    public static (double Median, double Fastest) Measure(Workload workload, int repeats)
    {
        // Warm up for two seconds: .NET first runs methods unoptimised and recompiles hot ones after
        // ~30 calls and a 100 ms delay that restarts whenever new code is compiled, so a few warm-up runs
        // would time tier-0 code. Half a second was not enough when a workload ran first: a batch-64
        // training step measured 0.7–1.0 ms after it, 0.22–0.36 ms after two seconds.
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed.TotalSeconds < 2; i++)
        {
            workload.Run();
            workload.Device.Synchronize();
        }

        var clock = Stopwatch.StartNew();
        workload.Run();
        workload.Device.Synchronize();
        double once = Math.Max(clock.Elapsed.TotalSeconds, 1e-7);
        int runs = (int)Math.Clamp(0.025 / once, 1, 10_000);
        var samples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            clock.Restart();
            for (int i = 0; i < runs; i++)
            {
                workload.Run();
            }

            workload.Device.Synchronize();
            samples[r] = clock.Elapsed.TotalSeconds / runs;
        }

        Array.Sort(samples);
        return (samples[repeats / 2], samples[0]);
    }

    /// <summary>Whether the name or shape contains the filter; <c>x</c> stands for <c>×</c>, which not every shell passes intact.</summary>
    private static bool Matches(Workload workload, string filter) =>
        $"{workload.Name} {workload.Shape}".Replace('×', 'x').Contains(filter.Replace('×', 'x'), StringComparison.OrdinalIgnoreCase);

    private static string Row(Workload w, double seconds, Peak peak)
    {
        double gflops = w.Flops / seconds / 1e9;
        double gbs = w.Bytes / seconds / 1e9;
        string percent = w.Flops > 0 && peak.Flops > 0 ? $"{100 * w.Flops / seconds / peak.Flops:0.0}% FLOPS"
            : w.Flops == 0 && peak.BytesPerSecond > 0 ? $"{100 * w.Bytes / seconds / peak.BytesPerSecond:0.0}% BW"
            : "n/a";
        return string.Create(CultureInfo.InvariantCulture,
            $"| {w.Name} | {w.Shape} | {Time(seconds)} | {(w.Flops > 0 ? gflops.ToString("0.0", CultureInfo.InvariantCulture) : "")} | {gbs:0.0} | {percent} |");
    }

    private static string Time(double seconds) => seconds switch
    {
        < 1e-3 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0.0} µs"),
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.00} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s"),
    };

    private static string Format(double value, string unit) =>
        value > 0 ? string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {unit}") : $"unknown {unit}";
}
