namespace GradientDescent.Benchmarks.Workloads;

/// <summary>C = op(A)·op(B) with C (m, n) and inner size k: the three products a training step needs.</summary>
public sealed class MatMulWorkload : Workload
{
    private readonly Tensor _a;
    private readonly Tensor _b;
    private readonly Tensor _c;
    private readonly bool _transposeA;
    private readonly bool _transposeB;
    private readonly int _m;
    private readonly int _n;
    private readonly int _k;
    private readonly MatMulKernels.Variant _kernel;

    /// <summary>Prepares the operands.</summary>
    /// <param name="device">Where to run.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="k">The inner size.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="variant"><c>AB</c>, <c>AtB</c> or <c>ABt</c>.</param>
    /// <param name="tiled">Run the 16×16 tiled GPU kernel instead of what <c>Ops.MatMul</c> runs on the device.</param>
    public MatMulWorkload(ComputeDevice device, int m, int k, int n, string variant, bool tiled = false)
        : base(device)
    {
        (_m, _k, _n) = (m, k, n);
        _kernel = tiled ? MatMulKernels.Variant.Tiled : MatMulKernels.Variant.Auto;
        Variant = variant;
        _transposeA = variant == "AtB";
        _transposeB = variant == "ABt";
        _a = _transposeA ? Random(k, m) : Random(m, k);
        _b = _transposeB ? Random(n, k) : Random(k, n);
        _c = Tensor.Zeros(device, m, n);
    }

    /// <summary>AB, AtB or ABt.</summary>
    public string Variant { get; }

    /// <inheritdoc/>
    public override string Name =>
        (Variant switch { "AtB" => "matmul Aᵀ·B", "ABt" => "matmul A·Bᵀ", _ => "matmul A·B" })
        + (_kernel == MatMulKernels.Variant.Tiled ? " (16×16 tiled)" : string.Empty);

    /// <inheritdoc/>
    public override string Shape => $"{_m}×{_k}×{_n}";

    /// <inheritdoc/>
    public override double Flops => 2.0 * _m * _n * _k;

    /// <inheritdoc/>
    public override double Bytes => 4.0 * (((double)_m * _k) + ((double)_k * _n) + ((double)_m * _n));

    /// <inheritdoc/>
    public override void Run() => MatMulKernels.Forward(_a, _transposeA, _b, _transposeB, _c, _kernel);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
    }
}
