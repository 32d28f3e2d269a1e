namespace GradientDescent.Benchmarks.Workloads;

/// <summary>
/// The shapes the suite measures on each path. The emulated path runs ~1 GFLOPS, so it gets the small
/// shapes only; 4096³ runs only on GPUs.
/// </summary>
public static class Catalogue
{
    /// <summary>MatMul shapes (m, k, n): a batch-64 layer, the full-batch MNIST layer, and square sizes.</summary>
    public static IEnumerable<(int M, int K, int N)> MatMulShapes(BenchmarkPath path, bool quick)
    {
        yield return (64, 784, 100);
        if (path.IsEmulated)
        {
            yield break;
        }

        yield return (8000, 784, 100);
        if (quick)
        {
            yield break;
        }

        yield return (1024, 1024, 1024);
        yield return (2048, 2048, 2048);
        if (path.Name is "cuda" or "opencl")
        {
            yield return (4096, 4096, 4096);
        }
    }

    /// <summary>Softmax cross-entropy shapes (rows, classes), from a batch of 64 digits to a language-model-sized row.</summary>
    public static IEnumerable<(int Rows, int Classes)> SoftmaxShapes(BenchmarkPath path, bool quick)
    {
        yield return (64, 10);
        yield return (8000, 10);
        if (path.IsEmulated || quick)
        {
            yield break;
        }

        yield return (4096, 1024);
        yield return (65536, 1024);
    }

    /// <summary>Batch sizes of the training step; 8000 is the full MNIST sample, the seed's full batch.</summary>
    public static IEnumerable<int> Batches(BenchmarkPath path, bool quick) =>
        path.IsEmulated || quick ? [64, 128, 1024] : [64, 128, 1024, 8000];

    /// <summary>Every workload for a path, as factories so each is created and freed in turn.</summary>
    public static IEnumerable<Func<Workload>> For(BenchmarkPath path, ComputeDevice device, bool quick)
    {
        foreach (var (m, k, n) in MatMulShapes(path, quick))
        {
            foreach (var variant in new[] { "AB", "AtB", "ABt" })
            {
                yield return () => new MatMulWorkload(device, m, k, n, variant);
            }

            // On a GPU, the 16×16 tiled kernel the blocked one replaced, for the ratio between them.
            if (path.Name is "cuda" or "opencl" && m < 4096)
            {
                yield return () => new MatMulWorkload(device, m, k, n, "AB", tiled: true);
            }
        }

        foreach (var (rows, classes) in SoftmaxShapes(path, quick))
        {
            yield return () => new SoftmaxCrossEntropyWorkload(device, rows, classes);
        }

        int big = path.IsEmulated ? 1000 : 4096;
        foreach (var op in new[] { "relu", "sgd" })
        {
            yield return () => new ElementwiseWorkload(device, op, 8000, 100);
            yield return () => new ElementwiseWorkload(device, op, big, big);
        }

        // The new elementwise functions and axis reductions: a training-sized matrix and a large one.
        foreach (var (rows, columns) in quick ? [(8000, 100)] : new[] { (8000, 100), (big, big) })
        {
            foreach (var make in OpWorkload.For(device, rows, columns))
            {
                yield return make;
            }
        }

        foreach (int batch in Batches(path, quick))
        {
            yield return () => new TrainingStepWorkload(device, batch);
            yield return () => new TrainingStepWorkload(device, batch, useTape: true);
        }
    }
}
