namespace GradientDescent.Benchmarks.Workloads;

/// <summary>Fused softmax cross-entropy: per-row loss and dlogits in one pass over (rows, classes) logits.</summary>
public sealed class SoftmaxCrossEntropyWorkload : Workload
{
    private readonly Tensor _logits;
    private readonly Labels _labels;
    private readonly Tensor _loss;
    private readonly Tensor _dlogits;
    private readonly int _rows;
    private readonly int _classes;

    /// <summary>Prepares random logits and labels.</summary>
    public SoftmaxCrossEntropyWorkload(ComputeDevice device, int rows, int classes)
        : base(device)
    {
        (_rows, _classes) = (rows, classes);
        _logits = Random(rows, classes);
        var random = new Random(rows);
        _labels = Labels.FromArray(device, Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray(), classes);
        _loss = Tensor.Zeros(device, rows);
        _dlogits = Tensor.Zeros(device, rows, classes);
    }

    /// <inheritdoc/>
    public override string Name => "softmax-CE fused";

    /// <inheritdoc/>
    public override string Shape => $"{_rows}×{_classes}";

    /// <inheritdoc/>
    public override double Flops => 0;

    /// <summary>Reads the logits once and writes dlogits once (the row maximum and sum are re-reads that caches serve).</summary>
    public override double Bytes => 8.0 * _rows * _classes;

    /// <inheritdoc/>
    public override void Run() => SoftmaxKernels.Sparse(_logits, _labels, _loss, _dlogits, 1f / _rows);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _logits.Dispose();
        _labels.Dispose();
        _loss.Dispose();
        _dlogits.Dispose();
    }
}

/// <summary>Bandwidth-bound elementwise kernels: fused bias + ReLU, and the SGD update.</summary>
public sealed class ElementwiseWorkload : Workload
{
    private readonly Tensor _x;
    private readonly Tensor _bias;
    private readonly Tensor _y;
    private readonly int _rows;
    private readonly int _columns;

    /// <summary>Prepares an (rows, columns) input.</summary>
    /// <param name="device">Where to run.</param>
    /// <param name="operation"><c>relu</c> (bias + ReLU) or <c>sgd</c>.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    public ElementwiseWorkload(ComputeDevice device, string operation, int rows, int columns)
        : base(device)
    {
        Operation = operation;
        (_rows, _columns) = (rows, columns);
        _x = Random(rows, columns);
        _bias = Random(columns);
        _y = Random(rows, columns);
    }

    /// <summary>relu or sgd.</summary>
    public string Operation { get; }

    /// <inheritdoc/>
    public override string Name => Operation == "sgd" ? "SGD w -= lr·dw" : "bias + ReLU";

    /// <inheritdoc/>
    public override string Shape => $"{_rows}×{_columns}";

    /// <inheritdoc/>
    public override double Flops => 0;

    /// <summary>bias + ReLU reads x and writes y; SGD reads w and dw and writes w.</summary>
    public override double Bytes => (Operation == "sgd" ? 12.0 : 8.0) * _rows * _columns;

    /// <inheritdoc/>
    public override void Run()
    {
        if (Operation == "sgd")
        {
            SgdKernels.Update(_y, _x, 1e-6f);
        }
        else
        {
            ReluKernels.Forward(_x, _bias, _y, relu: true);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _x.Dispose();
        _bias.Dispose();
        _y.Dispose();
    }
}
