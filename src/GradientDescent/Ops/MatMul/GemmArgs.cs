namespace GradientDescent;

/// <summary>
/// The shape of one product for the GEMM kernels, passed as one value (ILGPU kernels take structures of ints): op(A)
/// is (m, k) with A(i, p) = a[i·SAi + p·SAp], op(B) is (k, n) with B(p, j) = b[p·SBp + j·SBj], and C is (m, n) with
/// rows <see cref="Ldc"/> floats apart.
/// </summary>
/// <remarks>
/// Strides rather than a transpose flag, so that a padded matrix (the training step's hidden activations, rows of
/// hidden + 1 rounded up to 4 floats) and a transposed one are read alike.
/// </remarks>
internal readonly struct GemmShape(int m, int n, int k, int sAi, int sAp, int sBp, int sBj, int ldc)
{
    internal readonly int M = m;
    internal readonly int N = n;
    internal readonly int K = k;
    internal readonly int SAi = sAi;
    internal readonly int SAp = sAp;
    internal readonly int SBp = sBp;
    internal readonly int SBj = sBj;
    internal readonly int Ldc = ldc;

    /// <summary>Dense row-major operands, op = identity or transpose, C (m, n) dense.</summary>
    internal static GemmShape Dense(int m, int n, int k, bool transposeA, bool transposeB) =>
        new(m, n, k, transposeA ? 1 : k, transposeA ? m : 1, transposeB ? 1 : n, transposeB ? k : 1, n);

    public override string ToString() =>
        $"({M}×{K})·({K}×{N}), strides A {SAi},{SAp} B {SBp},{SBj}, ldc {Ldc}";
}

/// <summary>
/// What a GEMM kernel does besides the product, as ints (kernels take no bools): C = max(op(A)·op(B) + bias, 0) with
/// the bias and the ReLU each optional, C stored as 128-bit words or one float at a time, and the depth split over
/// <see cref="Splits"/> groups per block of C (split-k) of <see cref="SplitDepth"/> depths each.
/// </summary>
internal readonly struct GemmEpilogue(int bias, int relu, int vectorC, int splits, int splitDepth)
{
    /// <summary>1: add bias[j] to column j.</summary>
    internal readonly int Bias = bias;

    /// <summary>1: clamp below at 0 (after the bias). NaN stays NaN, as in the ReLU kernel.</summary>
    internal readonly int Relu = relu;

    /// <summary>1: n % 4 = 0, ldc % 4 = 0 and C 16-byte aligned, so each 4 columns are one store.</summary>
    internal readonly int VectorC = vectorC;

    /// <summary>Groups that share one block of C, each over one range of the depth; 1 for none.</summary>
    internal readonly int Splits = splits;

    /// <summary>Depths per split, a multiple of <see cref="GpuGemm.Depth"/>; k when not split.</summary>
    internal readonly int SplitDepth = splitDepth;
}
