using System.Globalization;
using Spectre.Console;

namespace GradientDescent.Samples.MnistSample;

/// <summary>What both commands need: the device, clean error messages, and where files go.</summary>
internal static class Shared
{
    internal const int DataError = 2;

    /// <summary>The exit code of a bad command line or an unusable output folder.</summary>
    internal const int UsageError = 2;

    /// <summary>
    /// Why <paramref name="folder"/> cannot take the run's files (it is a file, or cannot be created or written),
    /// found by creating it and a probe file; null when it can.
    /// </summary>
    internal static string? CheckOutputFolder(string folder)
    {
        if (File.Exists(folder))
        {
            return $"--out {folder} is a file; give a folder for the model, the curve and the history.";
        }

        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the run's files to {folder}: {e.Message}";
        }
    }

    /// <summary>Creates the requested device (or the best present) and shows what it is.</summary>
    internal static ComputeDevice CreateDevice(string? specification)
    {
        var device = string.IsNullOrWhiteSpace(specification) ? ComputeDevice.Create() : ComputeDevice.Create(specification);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Device[/]").AddColumns("", "");
        table.HideHeaders();
        table.AddRow("name", Markup.Escape(device.Name));
        table.AddRow("kind", Markup.Escape($"{ComputeDeviceKind(device)}:{device.Index}"
            + device.CpuKernels switch
            {
                CpuKernelSet.Host => " (host SIMD kernels)",
                CpuKernelSet.Emulated => " (ILGPU kernels in ILGPU's CPU emulator: correct but slow)",
                _ => string.Empty,
            }));
        table.AddRow("memory", Gib(device.MemorySize) + (device.Kind == DeviceKind.Cpu ? " available to this process" : ""));
        AnsiConsole.Write(table);
        return device;
    }

    /// <summary>
    /// Creates the device, loads the data (the shipped digits, or the MNIST files in <paramref name="dataFolder"/>),
    /// runs <paramref name="run"/> on them and frees both; a device or data problem is one line and its exit code.
    /// </summary>
    internal static int RunOnData(string? deviceSpecification, string? dataFolder, Func<ComputeDevice, MnistSplit, int> run)
    {
        ComputeDevice device;
        try
        {
            device = CreateDevice(deviceSpecification);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return Fail(e.Message);
        }

        using (device)
        {
            MnistSplit data;
            try
            {
                data = dataFolder is null ? Mnist10k.Load(device) : Mnist.LoadFolder(device, dataFolder);
            }
            catch (Exception e) when (e is IOException or InvalidDataFormatException or UnauthorizedAccessException or ArgumentException)
            {
                return Fail($"cannot load MNIST: {e.Message}", DataError);
            }

            using (data)
            {
                return run(device, data);
            }
        }
    }

    /// <summary>Prints a one-line error (no stack trace) and returns the exit code for it.</summary>
    internal static int Fail(string message, int code = 1)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {message}");
        return code;
    }

    internal static string Percent(double fraction) =>
        double.IsNaN(fraction) ? "–" : (100 * fraction).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    internal static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>What plots call the data: the --data folder's name (fashion-mnist, say), or the shipped sample.</summary>
    internal static string DataName(string? folder) =>
        folder is null ? "MNIST (10k sample)" : Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));

    internal static string Gib(long bytes) => Number(bytes / (1024.0 * 1024 * 1024), "0.0") + " GiB";

    private static string ComputeDeviceKind(ComputeDevice device) => device.Kind switch
    {
        DeviceKind.Cuda => "cuda",
        DeviceKind.OpenCL => "opencl",
        _ => "cpu",
    };
}
