using System.Diagnostics;
using System.IO.Compression;

namespace GradientDescent.Tests;

/// <summary>A corrupted file: its bytes, also written to <see cref="Path"/> for readers that take a path.</summary>
internal sealed record FuzzInput(byte[] Bytes, string Path);

/// <summary>
/// One way to read a corrupted file. <see cref="Load"/> is what is timed and measured; <see cref="Check"/>
/// runs afterwards on a successful result and returns what is inconsistent about it, or null.
/// <see cref="OtherFilesLength"/> counts the valid files the load reads besides the corrupted one
/// (a pair loader reads the other file of the pair), so the allocation bound allows for them.
/// </summary>
internal sealed record FuzzLoader(string Name, Func<FuzzInput, object> Load, Func<FuzzInput, object, string?> Check, long OtherFilesLength)
{
    public static FuzzLoader Create<T>(string name, Func<FuzzInput, T> load, Func<FuzzInput, T, string?> check, long otherFilesLength = 0)
        where T : notnull =>
        new(name, input => load(input), (input, result) => check(input, (T)result), otherFilesLength);
}

/// <summary>
/// Runs seeded fuzz cases on one worker thread and collects every failure: an exception other than
/// <see cref="InvalidDataFormatException"/> naming the file, an inconsistent result, a case slower than
/// <paramref name="caseLimit"/>, or an allocation above <see cref="AllocationBound"/>. The calling thread
/// watches the worker: a case still running after <paramref name="hangLimit"/> is reported as a hang,
/// with its seed, and the run stops there instead of stalling the test run.
/// </summary>
/// <remarks>
/// Each load runs on the worker thread itself, because <see cref="GC.GetAllocatedBytesForCurrentThread"/>
/// sees only that thread's allocations.
/// </remarks>
internal sealed class FuzzRunner(TimeSpan caseLimit, TimeSpan hangLimit)
{
    /// <summary>Allowance for costs that do not grow with the file; see <see cref="AllocationBound"/>.</summary>
    public const long FixedAllowance = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly List<string> _failures = [];
    private string _current = "before the first case";
    private long _currentStarted = Stopwatch.GetTimestamp();

    /// <summary>Limits generous enough for a loaded 2-core machine: a case takes about a millisecond.</summary>
    public static FuzzRunner Default() => new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

    /// <summary>
    /// The most a load of <paramref name="bytes"/> may allocate: 4 × the content + 256 KiB. The content is
    /// the file's length, or for gzip the bytes it inflates to, since those are what a reader must hold,
    /// plus <paramref name="otherFilesLength"/>. Four copies: the data returned, one more while it is
    /// rearranged (TwoLayerNet.Load flattens the arrays into one buffer and its new net initialises
    /// parameters before they are overwritten), and a growing gzip buffer that may be up to twice what
    /// arrived. The fixed part covers what does not grow with the file: a 64 KiB FileStream buffer per
    /// file, the first 64 KiB gzip chunk, and an exception with its message and stack trace (measured:
    /// at most about 150 KiB, reading a pair whose labels file is gzipped). A header that claims more
    /// than the file holds, once believed, costs the claimed size, which the fuzz sets up to 2 GiB.
    /// </summary>
    public static long AllocationBound(byte[] bytes, long otherFilesLength) =>
        (4 * (ContentLength(bytes) + otherFilesLength)) + FixedAllowance;

    /// <summary>Runs every seed: <paramref name="corrupt"/> makes the file, then each loader reads it.</summary>
    /// <returns>One line per failure, each starting with its seed.</returns>
    public IReadOnlyList<string> Run(IEnumerable<int> seeds, Func<Random, CorruptFile> corrupt, string path, IReadOnlyList<FuzzLoader> loaders)
    {
        var worker = new Thread(() => RunAll(seeds, corrupt, path, loaders)) { IsBackground = true, Name = "file fuzz" };
        worker.Start();
        while (!worker.Join(TimeSpan.FromMilliseconds(50)))
        {
            lock (_gate)
            {
                // The worker is abandoned, not stopped (.NET cannot abort a thread); it is a background thread.
                if (Stopwatch.GetElapsedTime(_currentStarted) > hangLimit)
                {
                    _failures.Add($"{_current}: still running after {hangLimit.TotalSeconds} s, a hang");
                    break;
                }
            }
        }

        lock (_gate)
            return [.. _failures];
    }

    private void RunAll(IEnumerable<int> seeds, Func<Random, CorruptFile> corrupt, string path, IReadOnlyList<FuzzLoader> loaders)
    {
        foreach (int seed in seeds)
        {
            string label = $"seed {seed}";
            SetCurrent($"{label}, while corrupting the file");
            try
            {
                var file = corrupt(new Random(seed));
                File.WriteAllBytes(path, file.Bytes);
                label = $"seed {seed} ({file.Description})";
                foreach (var loader in loaders)
                {
                    SetCurrent($"{label}, {loader.Name}");
                    string? problem = RunOne(loader, new FuzzInput(file.Bytes, path));
                    if (problem is not null)
                        Fail($"{label}, {loader.Name}: {problem}");
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // An exception here is the harness's own (a loader's is caught in Outcome); never kill the process.
                Fail($"{label}: the fuzz harness failed: {e}");
            }
        }
    }

    private string? RunOne(FuzzLoader loader, FuzzInput input)
    {
        long bound = AllocationBound(input.Bytes, loader.OtherFilesLength);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var (result, problem) = Outcome(loader, input);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        try
        {
            if (allocated > bound)
                return $"allocated {allocated} bytes, above the bound of {bound} for {input.Bytes.Length} bytes in the file"
                    + (loader.OtherFilesLength > 0 ? $" and {loader.OtherFilesLength} in the other" : "");
            if (clock.Elapsed > caseLimit)
                return $"took {clock.Elapsed.TotalSeconds:F2} s, more than {caseLimit.TotalSeconds} s";
            return result is null ? problem : loader.Check(input, result);
        }
        finally
        {
            (result as IDisposable)?.Dispose();
        }
    }

    private static (object? Result, string? Problem) Outcome(FuzzLoader loader, FuzzInput input)
    {
        try
        {
            return (loader.Load(input), null);
        }
        catch (InvalidDataFormatException e)
        {
            return e.Message.Contains(input.Path, StringComparison.Ordinal)
                ? (null, null)
                : (null, $"the InvalidDataFormatException does not name the file: \"{e.Message}\"");
        }
        catch (Exception e)
        {
            // Anything else is the finding: a reader must turn every defect of the file into the documented exception.
            return (null, $"threw {e.GetType().FullName} instead of InvalidDataFormatException: {e.Message}");
        }
    }

    private static long ContentLength(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
            return bytes.Length;

        // Count what inflates before the stream ends or proves corrupt: that much a reader may legitimately hold.
        using var gzip = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
        var buffer = new byte[1 << 16];
        long inflated = 0;
        try
        {
            int got;
            while ((got = gzip.Read(buffer)) > 0)
                inflated += got;
        }
        catch (InvalidDataException)
        {
            // The count so far is what a reader could have seen.
        }

        return Math.Max(bytes.Length, inflated);
    }

    private void SetCurrent(string current)
    {
        lock (_gate)
        {
            _current = current;
            _currentStarted = Stopwatch.GetTimestamp();
        }
    }

    private void Fail(string failure)
    {
        lock (_gate)
            _failures.Add(failure);
    }
}
