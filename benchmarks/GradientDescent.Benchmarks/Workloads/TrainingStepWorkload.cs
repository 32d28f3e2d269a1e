namespace GradientDescent.Benchmarks.Workloads;

/// <summary>One TwoLayerNet training step (forward, loss, backward, SGD) on a batch of random MNIST-shaped data.</summary>
public sealed class TrainingStepWorkload : Workload
{
    private readonly Tensor _x;
    private readonly Labels _labels;
    private readonly TwoLayerNet _net;
    private readonly SgdStep _sgd = new(0.01f);
    private readonly int _batch;

    /// <summary>Prepares a 784 → 100 → 10 network and one batch.</summary>
    /// <param name="device">Where to run.</param>
    /// <param name="batch">Rows per step.</param>
    /// <param name="useTape">Run the step through <see cref="GradientTape"/> and <see cref="SgdStep.Apply"/> instead of <see cref="TwoLayerNet.TrainStep"/>.</param>
    public TrainingStepWorkload(ComputeDevice device, int batch, bool useTape = false)
        : base(device)
    {
        _batch = batch;
        UseTape = useTape;
        _x = Random(batch, 784);
        var random = new Random(batch);
        _labels = Labels.FromArray(device, Enumerable.Range(0, batch).Select(_ => random.Next(10)).ToArray(), 10);
        _net = new TwoLayerNet(device);
    }

    /// <summary>Whether the step goes through the tape.</summary>
    public bool UseTape { get; }

    /// <inheritdoc/>
    public override string Name => UseTape ? "train step (tape)" : "train step";

    /// <inheritdoc/>
    public override string Shape => $"{_batch}×784→100→10";

    /// <summary>
    /// The products a step computes: forward 2·n·(784·100 + 100·10); backward the two weight gradients
    /// and the gradient into the hidden layer, 2·n·(784·100 + 2·100·10). The gradient into x, another
    /// 2·n·784·100, is not computed (x is data), so it is not counted.
    /// </summary>
    public override double Flops => 2.0 * _batch * ((2 * 784 * 100) + (3 * 100 * 10));

    /// <inheritdoc/>
    public override double Bytes => 4.0 * _batch * 784;

    /// <inheritdoc/>
    public override void Run()
    {
        if (!UseTape)
        {
            _net.TrainStep(_x, _labels, _sgd);
            return;
        }

        using var tape = new GradientTape();
        var loss = _net.Loss(_x, _labels);
        _sgd.Apply(_net.Parameters, tape.Gradient(loss, [.. _net.Parameters]));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _x.Dispose();
        _labels.Dispose();
        _net.Dispose();
    }
}
