using System.Diagnostics;
using ILGPU.Runtime;

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
    private readonly List<EpochResult> _history = [];

    /// <summary>Creates a trainer for <paramref name="network"/>, which it trains in place.</summary>
    /// <param name="network">The network; not owned.</param>
    /// <param name="options">Epochs, batch size, learning rate, seed; null for the defaults.</param>
    /// <param name="optimizer">
    /// The update rule (for example an <see cref="SgdStep"/> with momentum); not owned. Null for plain
    /// gradient descent at <see cref="TrainerOptions.LearningRate"/>. A given optimiser keeps its own learning
    /// rate unless <see cref="TrainerOptions.LearningRateSchedule"/> sets it.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public Trainer(TwoLayerNet network, TrainerOptions? options = null, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        Options = options ?? new TrainerOptions();
        Options.Validate();
        Network = network;
        Optimizer = optimizer ?? new SgdStep(Options.LearningRate);
    }

    /// <summary>The network being trained.</summary>
    public TwoLayerNet Network { get; }

    /// <summary>The training settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// The update rule. Its <see cref="Optimizer.LearningRate"/> may be changed between steps, from a
    /// progress callback for example; <see cref="TrainerOptions.LearningRateSchedule"/> does it per epoch.
    /// </summary>
    public Optimizer Optimizer { get; }

    /// <summary>
    /// The epochs completed by the last <see cref="Fit"/>, in order, kept when it stops early: after a
    /// cancellation or a <see cref="TrainingDivergedException"/>, what was done is here.
    /// </summary>
    public IReadOnlyList<EpochResult> History => _history;

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs.</summary>
    /// <param name="trainX">Training inputs, (n, inputs).</param>
    /// <param name="trainLabels">n labels.</param>
    /// <param name="testX">Held-out inputs, (m, inputs), or null.</param>
    /// <param name="testLabels">m labels, or null (given together with <paramref name="testX"/>).</param>
    /// <param name="progress">
    /// Receives a report after every step and at the end of every epoch, synchronously on the training
    /// thread (so use a synchronous <see cref="IProgress{T}"/>, not <see cref="Progress{T}"/>, when order matters); or null.
    /// </param>
    /// <param name="cancellationToken">Checked before every step; training stops with <see cref="OperationCanceledException"/>, leaving the network as trained so far and <see cref="History"/> holding the finished epochs.</param>
    /// <returns>One result per epoch (the same as <see cref="History"/>).</returns>
    /// <remarks>
    /// Each step's loss is kept on the device and read once per epoch, so steps never wait for the device. A
    /// loss that is not finite (a learning rate that diverged, NaN inputs) ends the run at the end of its epoch
    /// with <see cref="TrainingDivergedException"/>, naming the epoch and the first such step.
    /// </remarks>
    /// <exception cref="ArgumentException">Shapes, label counts, class counts or devices do not match the network; or only one of testX and testLabels is given.</exception>
    /// <exception cref="InvalidOperationException">The learning-rate schedule returned a rate that is not positive and finite (the message names the epoch and the rate).</exception>
    /// <exception cref="TrainingDivergedException">A step's loss was NaN or infinite.</exception>
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

        _history.Clear();
        int n = trainX.Shape[0];
        int batch = Options.BatchSize == 0 ? n : Math.Min(Options.BatchSize, n);
        int steps = (n + batch - 1) / batch;
        var order = new int[n];
        using var gather = batch < n ? new BatchGather(trainX, trainLabels, batch) : null;
        using var stepLosses = Tensor.Uninitialized(trainX.Device, [steps]);
        var losses = new float[steps];
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            ApplySchedule(epoch);
            Order(order, Options.Shuffle ? Options.Seed : null, epoch);
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * batch;
                int count = Math.Min(batch, n - start);
                var (x, labels) = gather is null ? (trainX, trainLabels) : gather.Next(order.AsSpan(start, count));
                var loss = Network.TrainStep(x, labels, Optimizer);
                Keep(loss, stepLosses, step);
                progress?.Report(new TrainingProgress(epoch, Options.Epochs, step + 1, steps, null));
            }

            double meanLoss = MeanLoss(stepLosses, losses, n, batch, epoch);
            var trainTime = clock.Elapsed;
            double trainAccuracy = Options.EvaluateTrainAccuracy ? Network.Accuracy(trainX, trainLabels, Options.EvaluationChunk) : double.NaN;
            double testAccuracy = testX is null ? double.NaN : Network.Accuracy(testX, testLabels!, Options.EvaluationChunk);
            var result = new EpochResult(epoch, Options.Epochs, meanLoss, trainAccuracy, testAccuracy, steps, trainTime, clock.Elapsed);
            _history.Add(result);
            progress?.Report(new TrainingProgress(epoch, Options.Epochs, steps, steps, result));
        }

        return [.. _history];
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

    /// <summary>Copies a step's loss (a scalar on the device) into its slot; no wait for the device.</summary>
    private static void Keep(Tensor loss, Tensor stepLosses, int step)
    {
        using var scope = loss.Device.Lock();
        loss.View.CopyTo(stepLosses.View.SubView(step, 1));
    }

    /// <summary>
    /// The epoch's mean loss over its examples, each step's loss weighted by its batch size, from one read of
    /// the device; throws if a step's loss was not finite.
    /// </summary>
    private double MeanLoss(Tensor stepLosses, float[] losses, int n, int batch, int epoch)
    {
        using (var scope = stepLosses.Device.Lock())
        {
            stepLosses.View.CopyToCPU(losses);
        }

        double sum = 0;
        for (int step = 0; step < losses.Length; step++)
        {
            if (!float.IsFinite(losses[step]))
            {
                throw new TrainingDivergedException(epoch, step + 1, losses.Length, losses[step], Optimizer.LearningRate, [.. _history]);
            }

            int count = Math.Min(batch, n - (step * batch));
            sum += (double)losses[step] * count;
        }

        return sum / n;
    }

    private void ApplySchedule(int epoch)
    {
        if (Options.LearningRateSchedule is not { } schedule)
        {
            return;
        }

        float rate = schedule(epoch);
        if (!float.IsFinite(rate) || rate <= 0)
        {
            throw new InvalidOperationException(
                $"Trainer: the learning-rate schedule gave {rate} for epoch {epoch}; a rate must be positive and finite.");
        }

        Optimizer.LearningRate = rate;
    }

    private void CheckData(Tensor x, Labels labels, string name)
    {
        Network.CheckInput(x, nameof(Trainer), name);
        TensorChecks.Labels(nameof(Trainer), x.Device, x.Shape[0], Network.Options.Classes, labels);
    }
}
