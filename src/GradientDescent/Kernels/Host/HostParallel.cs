namespace GradientDescent.Kernels.Host;

/// <summary>
/// Splits work into a fixed number of contiguous chunks, one per core. The split depends only on the
/// size and the core count, never on timing, so every result is reproducible bit for bit.
/// </summary>
internal static class HostParallel
{
    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in chunks, in parallel when the work is large enough.</summary>
    /// <param name="count">The number of items.</param>
    /// <param name="costPerItem">Rough flops per item; small totals run on the calling thread.</param>
    /// <param name="body">Processes items [start, end).</param>
    internal static void For(int count, long costPerItem, Action<int, int> body)
    {
        int workers = Math.Min(Environment.ProcessorCount, count);
        // Below ~64k flops, waking another thread costs more than it saves.
        if (workers <= 1 || count * costPerItem < 65_536)
        {
            body(0, count);
            return;
        }

        Parallel.For(0, workers, w =>
        {
            int start = (int)((long)count * w / workers);
            int end = (int)((long)count * (w + 1) / workers);
            if (start < end)
            {
                body(start, end);
            }
        });
    }
}
