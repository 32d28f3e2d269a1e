namespace GradientDescent;

/// <summary>
/// A product with what follows it in a dense layer: on the host path the host GEMM applies it to each
/// block of C while the block is in cache (<see cref="HostGemm.Epilogue"/>); elsewhere the product and
/// the elementwise kernel run as two launches, as they would one after the other.
/// </summary>
internal static partial class MatMulKernels
{
    /// <summary>y = relu?(a·b + bias): a (rows, k), b (k, cols), bias (cols) or null, y (rows, cols).</summary>
    internal static void ForwardDense(Tensor a, Tensor b, Tensor? bias, bool relu, Tensor y)
    {
        if (TryHost(a, false, b, false, y, bias, relu, null))
        {
            return;
        }

        Forward(a, false, b, false, y);
        if (bias is not null || relu)
        {
            ReluKernels.Forward(y, bias, y, relu);
        }
    }

    /// <summary>dx = op(a)·op(b) where y &gt; 0, else 0: the gradient through a ReLU whose output was y (laid out as dx).</summary>
    internal static void ForwardReluBackward(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor y, Tensor dx)
    {
        if (TryHost(a, transposeA, b, transposeB, dx, null, false, y))
        {
            return;
        }

        Forward(a, transposeA, b, transposeB, dx);
        ReluKernels.Backward(dx, y, dx);
    }

    private static unsafe bool TryHost(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, Tensor? bias, bool relu, Tensor? mask)
    {
        using var launch = c.Device.Kernels.Begin();
        if (!launch.OnHost)
        {
            return false;
        }

        int m = c.Shape[0], n = c.Shape[1];
        int k = transposeA ? a.Shape[0] : a.Shape[1];
        var epilogue = mask is not null
            ? new HostGemm.Epilogue(HostMemory.Pointer(mask))
            : new HostGemm.Epilogue(bias is null ? null : HostMemory.Pointer(bias), relu);
        HostGemm.Multiply(
            HostMemory.Pointer(a), transposeA ? 1 : k, transposeA ? m : 1,
            HostMemory.Pointer(b), transposeB ? 1 : n, transposeB ? k : 1,
            HostMemory.Pointer(c), m, n, k, epilogue);
        return true;
    }
}
