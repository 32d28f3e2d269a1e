using CustomKernel;

namespace GradientDescent.Benchmarks.Workloads;

/// <summary>
/// An activation through the public op path, which allocates its result: the library's <c>Ops.Relu</c>, and the
/// CustomKernel sample's leaky ReLU written as a <see cref="CustomOp"/>. Side by side they show what the custom
/// op path costs over a built-in op of the same work (both read x and write y once).
/// </summary>
public sealed class ActivationOpWorkload : Workload
{
    private readonly Tensor _x;
    private readonly bool _custom;
    private readonly int _rows;
    private readonly int _columns;

    /// <summary>Prepares an (rows, columns) input.</summary>
    /// <param name="device">Where to run.</param>
    /// <param name="custom">The CustomOp leaky ReLU rather than <c>Ops.Relu</c>.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    public ActivationOpWorkload(ComputeDevice device, bool custom, int rows, int columns)
        : base(device)
    {
        (_custom, _rows, _columns) = (custom, rows, columns);
        _x = Random(rows, columns);
    }

    /// <inheritdoc/>
    public override string Name => _custom ? "leaky ReLU (CustomOp)" : "ReLU (Ops.Relu)";

    /// <inheritdoc/>
    public override string Shape => $"{_rows}×{_columns}";

    /// <inheritdoc/>
    public override double Flops => 0;

    /// <summary>Reads x and writes y.</summary>
    public override double Bytes => 8.0 * _rows * _columns;

    /// <inheritdoc/>
    public override void Run()
    {
        using var y = _custom ? LeakyRelu.Apply(_x) : Ops.Relu(_x);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => _x.Dispose();
}
