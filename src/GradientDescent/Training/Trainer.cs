using System.Diagnostics;

namespace GradientDescent;

/// <summary>
/// The training loop for a <see cref="TwoLayerNet"/>: epochs of shuffled mini-batches (or full-batch
/// gradient descent), the mean loss of each epoch, accuracy on the training and test sets after each
/// epoch, progress reports and cancellation.
/// </summary>
/// <remarks>
/// <para>
/// Each step gathers its batch on the device (<see cref="BatchGather"/>) and runs
/// <see cref="TwoLayerNet.TrainStep"/>; the epoch's loss is summed on the device and read once per
/// epoch, so steps never wait for the device on their own account. Kernels sum in a fixed order and
/// shuffles depend only on <see cref="TrainerOptions.Seed"/> and the epoch, so a run with the same
/// seeds on the same device repeats bit for bit.
/// </para>
/// <para>Accuracy is measured in chunks of <see cref="TrainerOptions.EvaluationChunk"/> rows.</para>
/// </remarks>
public sealed class Trainer
{
    /// <summary>Creates a trainer for <paramref name="network"/>, which it trains in place.</summary>
    /// <param name="network">The network; not owned.</param>
    /// <param name="options">Epochs, batch size, learning rate, seed; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public Trainer(TwoLayerNet network, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        Options = options ?? new TrainerOptions();
        Options.Validate();
        Network = network;
    }

    /// <summary>The network being trained.</summary>
    public TwoLayerNet Network { get; }

    /// <summary>The training settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs.</summary>
    /// <param name="trainX">Training inputs, (n, inputs).</param>
    /// <param name="trainLabels">n labels.</param>
    /// <param name="testX">Held-out inputs, (m, inputs), or null.</param>
    /// <param name="testLabels">m labels, or null (given together with <paramref name="testX"/>).</param>
    /// <param name="progress">
    /// Receives a report after every step and at the end of every epoch, synchronously on the training
    /// thread (so use a synchronous <see cref="IProgress{T}"/>, not <see cref="Progress{T}"/>, when order matters); or null.
    /// </param>
    /// <param name="cancellationToken">Checked before every step; training stops with <see cref="OperationCanceledException"/>, leaving the network as trained so far.</param>
    /// <returns>One result per epoch.</returns>
    /// <exception cref="ArgumentException">Shapes, label counts, class counts or devices do not match the network; or only one of testX and testLabels is given.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    /// <exception cref="ObjectDisposedException">The network or an input has been disposed.</exception>
    public IReadOnlyList<EpochResult> Fit(
        Tensor trainX, Labels trainLabels, Tensor? testX = null, Labels? testLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckData(trainX, trainLabels, nameof(trainX));
        if ((testX is null) != (testLabels is null))
        {
            throw new ArgumentException("Trainer: give both testX and testLabels, or neither.", nameof(testLabels));
        }

        if (testX is not null)
        {
            CheckData(testX, testLabels!, nameof(testX));
        }

        int n = trainX.Shape[0];
        int batch = Options.BatchSize == 0 ? n : Math.Min(Options.BatchSize, n);
        int steps = (n + batch - 1) / batch;
        var sgd = new SgdStep(Options.LearningRate);
        var order = new int[n];
        var results = new List<EpochResult>(Options.Epochs);
        using var gather = batch < n ? new BatchGather(trainX, trainLabels, batch) : null;
        using var epochLoss = Tensor.Zeros(trainX.Device, 1);
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            ElementwiseKernels.Fill(epochLoss, 0f);
            Order(order, Options.Shuffle ? Options.Seed : null, epoch);
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * batch;
                int count = Math.Min(batch, n - start);
                var (x, labels) = gather is null ? (trainX, trainLabels) : gather.Next(order.AsSpan(start, count));
                var loss = Network.TrainStep(x, labels, sgd);
                ElementwiseKernels.AddScaled(epochLoss, (float)count / n, loss, epochLoss);
                progress?.Report(new TrainingProgress(epoch, Options.Epochs, step + 1, steps, null));
            }

            double meanLoss = epochLoss.Item();
            var trainTime = clock.Elapsed;
            double trainAccuracy = Options.EvaluateTrainAccuracy ? Network.Accuracy(trainX, trainLabels, Options.EvaluationChunk) : double.NaN;
            double testAccuracy = testX is null ? double.NaN : Network.Accuracy(testX, testLabels!, Options.EvaluationChunk);
            var result = new EpochResult(epoch, Options.Epochs, meanLoss, trainAccuracy, testAccuracy, steps, trainTime, clock.Elapsed);
            results.Add(result);
            progress?.Report(new TrainingProgress(epoch, Options.Epochs, steps, steps, result));
        }

        return results;
    }

    /// <summary>
    /// Fills <paramref name="order"/> with 0..n−1, shuffled (Fisher–Yates, SplitMix64) by a generator
    /// seeded from (seed, epoch) when a seed is given, so each epoch's order can be reproduced on its own.
    /// </summary>
    internal static void Order(int[] order, ulong? seed, int epoch)
    {
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (seed is not ulong s)
        {
            return;
        }

        var random = new NormalSampler(new NormalSampler(s ^ ((ulong)epoch * 0xD1B54A32D192ED03UL)).NextBits());
        for (int i = order.Length - 1; i > 0; i--)
        {
            // Multiply-shift maps 32 random bits onto 0..i; the bias is below 2^-32 per draw.
            int j = (int)(((random.NextBits() >> 32) * (ulong)(i + 1)) >> 32);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private void CheckData(Tensor x, Labels labels, string name)
    {
        Network.CheckInput(x, nameof(Trainer), name);
        TensorChecks.Labels(nameof(Trainer), x.Device, x.Shape[0], Network.Options.Classes, labels);
    }
}
