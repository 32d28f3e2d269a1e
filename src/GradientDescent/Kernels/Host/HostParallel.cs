using System.Runtime.ExceptionServices;

namespace GradientDescent;

/// <summary>
/// Splits work into one contiguous chunk per core and runs them at once: the calling thread takes the
/// first chunk, dedicated worker threads the others. The split depends only on the size and the core
/// count, never on timing, so every result is reproducible bit for bit.
/// </summary>
/// <remarks>
/// Dedicated threads rather than <see cref="Parallel.For(int, int, Action{int})"/>: with two chunks, the
/// thread pool often has not woken a worker by the time the caller finishes its own chunk, and the
/// caller then runs the second one too, so a two-core machine ran at the speed of one, unpredictably.
/// When another thread is already using the workers, the call runs inline rather than waiting.
/// </remarks>
internal static class HostParallel
{
    private static readonly object s_gate = new();
    private static Worker[]? s_workers;

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in chunks, in parallel when the work is large enough.</summary>
    /// <param name="count">The number of items.</param>
    /// <param name="costPerItem">Rough flops per item; small totals run on the calling thread.</param>
    /// <param name="body">Processes items [start, end).</param>
    internal static void For(int count, long costPerItem, Action<int, int> body)
    {
        int chunks = Math.Min(Environment.ProcessorCount, count);
        // Below ~64k flops, waking another thread costs more than it saves.
        if (chunks <= 1 || count * costPerItem < 65_536 || !Monitor.TryEnter(s_gate))
        {
            body(0, count);
            return;
        }

        try
        {
            var workers = s_workers ??= StartWorkers(Environment.ProcessorCount - 1);
            for (int w = 1; w < chunks; w++)
            {
                workers[w - 1].Post(body, Start(count, chunks, w), Start(count, chunks, w + 1));
            }

            Exception? failure = null;
            try
            {
                body(0, Start(count, chunks, 1));
            }
            catch (Exception e)
            {
                failure = e;
            }

            for (int w = 1; w < chunks; w++)
            {
                failure ??= workers[w - 1].Wait();
            }

            if (failure is not null)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    /// <summary>Runs an elementwise body(start, length) over [0, n) in one contiguous chunk per core once n is large.</summary>
    internal static void Chunks(int n, Action<int, int> body) =>
        For(n, 1, (first, last) => body(first, last - first));

    private static int Start(int count, int chunks, int chunk) => (int)((long)count * chunk / chunks);

    private static Worker[] StartWorkers(int count) => [.. Enumerable.Range(0, count).Select(i => new Worker(i))];

    /// <summary>A background thread that runs one posted chunk at a time; it lives as long as the process.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
        Justification = "Workers live for the whole process, like thread-pool threads; their events are never released early.")]
    private sealed class Worker
    {
        private readonly ManualResetEventSlim _start = new(false);
        private readonly ManualResetEventSlim _done = new(false);
        private Action<int, int>? _body;
        private int _from;
        private int _to;
        private Exception? _failure;

        internal Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"GradientDescent host worker {index + 1}" };
            thread.Start();
        }

        internal void Post(Action<int, int> body, int from, int to)
        {
            (_body, _from, _to, _failure) = (body, from, to, null);
            _done.Reset();
            _start.Set();
        }

        internal Exception? Wait()
        {
            _done.Wait();
            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                try
                {
                    _body!(_from, _to);
                }
                catch (Exception e)
                {
                    _failure = e;
                }

                _body = null;
                _done.Set();
            }
        }
    }
}
