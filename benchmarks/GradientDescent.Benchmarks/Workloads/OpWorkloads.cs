namespace GradientDescent.Benchmarks.Workloads;

/// <summary>
/// The elementwise functions and axis reductions through their kernels, into preallocated outputs: memory-bound,
/// so the report gives GB/s against the path's bandwidth.
/// </summary>
public sealed class OpWorkload : Workload
{
    private readonly Tensor _x;
    private readonly Tensor _b;
    private readonly Tensor _y;
    private readonly int _rows;
    private readonly int _columns;
    private readonly Action _run;
    private readonly double _bytes;

    private OpWorkload(ComputeDevice device, string name, int rows, int columns, int bLength, int yLength, double elementsMoved, Func<OpWorkload, Action> run)
        : base(device)
    {
        Name = name;
        (_rows, _columns) = (rows, columns);
        _x = Random(rows, columns);
        _b = bLength == rows * columns ? Random(rows, columns) : bLength == columns ? Random(columns) : Random(rows, 1);
        _y = Tensor.Zeros(device, yLength);
        _bytes = 4.0 * elementsMoved;
        _run = run(this);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Shape => $"{_rows}×{_columns}";

    /// <inheritdoc/>
    public override double Flops => 0;

    /// <summary>What must cross memory at least once: inputs read and outputs written.</summary>
    public override double Bytes => _bytes;

    /// <summary>The workloads for one shape: unary functions, broadcasting binaries and axis reductions.</summary>
    public static IEnumerable<Func<Workload>> For(ComputeDevice device, int rows, int columns)
    {
        long n = (long)rows * columns;
        yield return () => new OpWorkload(device, "exp", rows, columns, columns, rows * columns, 2 * n,
            w => () => ElementwiseKernels.Unary<ExpFunction>(w._x, 0f, w._y.Reshaped(rows, columns)));
        yield return () => new OpWorkload(device, "tanh", rows, columns, columns, rows * columns, 2 * n,
            w => () => ElementwiseKernels.Unary<TanhFunction>(w._x, 0f, w._y.Reshaped(rows, columns)));
        yield return () => new OpWorkload(device, "a·b (same shape)", rows, columns, rows * columns, rows * columns, 3 * n,
            w => () => ElementwiseKernels.Binary<MultiplyFunction>(w._x, w._b, w._y.Reshaped(rows, columns), Broadcast.Of("Multiply", w._x, w._b)));
        yield return () => new OpWorkload(device, "a − row (broadcast)", rows, columns, columns, rows * columns, (2 * n) + columns,
            w => () => ElementwiseKernels.Binary<SubtractFunction>(w._x, w._b, w._y.Reshaped(rows, columns), Broadcast.Of("Subtract", w._x, w._b)));
        yield return () => new OpWorkload(device, "a − column (broadcast)", rows, columns, rows, rows * columns, (2 * n) + rows,
            w => () => ElementwiseKernels.Binary<SubtractFunction>(w._x, w._b, w._y.Reshaped(rows, columns), Broadcast.Of("Subtract", w._x, w._b)));
        yield return () => new OpWorkload(device, "sum axis −1", rows, columns, columns, rows, n + rows,
            w => () => ReductionKernels.Rows<SumReduction>(w._x, w._y, rows, columns));
        yield return () => new OpWorkload(device, "sum axis 0", rows, columns, columns, columns, n + columns,
            w => () => ReductionKernels.Columns<SumReduction>(w._x, w._y, rows, columns));
        yield return () => new OpWorkload(device, "max axis −1", rows, columns, columns, rows, n + rows,
            w => () => ReductionKernels.Rows<MaxReduction>(w._x, w._y, rows, columns));
    }

    /// <inheritdoc/>
    public override void Run() => _run();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _x.Dispose();
        _b.Dispose();
        _y.Dispose();
    }
}

/// <summary>Viewing a flat output buffer as the matrix a kernel writes.</summary>
internal static class TensorShapes
{
    /// <summary>An unrecorded (rows, columns) view of a flat tensor of that length.</summary>
    internal static Tensor Reshaped(this Tensor flat, int rows, int columns) => Tensor.ViewOf(flat, 0, [rows, columns]);
}
