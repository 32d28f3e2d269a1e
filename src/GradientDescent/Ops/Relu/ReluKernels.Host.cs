using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GradientDescent;

/// <summary>Host versions of bias + ReLU and the ReLU backward.</summary>
internal static partial class ReluKernels
{
    private static void HostForward(Tensor x, Tensor? b, Tensor y, bool relu)
    {
        int columns = x.ColumnCount;
        HostParallel.For(x.Length / columns, 2L * columns, (first, last) =>
        {
            var input = HostMemory.Span(x);
            var output = HostMemory.Span(y);
            ReadOnlySpan<float> bias = b is null ? default : HostMemory.Span(b);
            for (int start = first * columns; start < last * columns; start += columns)
            {
                var row = output.Slice(start, columns);
                if (b is null)
                {
                    input.Slice(start, columns).CopyTo(row);
                }
                else
                {
                    TensorPrimitives.Add(input.Slice(start, columns), bias, row);
                }

                if (relu)
                {
                    TensorPrimitives.Max(row, 0f, row);
                }
            }
        });
    }

    private static unsafe void HostBackward(Tensor dy, Tensor y, Tensor dx) =>
        HostParallel.Chunks(dx.Length, (from, length) =>
            MaskByOutput(HostMemory.Pointer(dy) + from, HostMemory.Pointer(y) + from, HostMemory.Pointer(dx) + from, length));

    /// <summary>
    /// result = output &gt; 0 ? gradient : +0, element by element (the ReLU backward; result may be gradient).
    /// The host GEMM's ReLU-backward epilogue runs this same loop, so its bits are this kernel's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MaskByOutput(float* gradient, float* output, float* result, int length)
    {
        int i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            // dx = dy where y > 0: the comparison's all-ones lanes keep dy, the others become +0.
            var keep = Vector256.GreaterThan(Vector256.Load(output + i), Vector256<float>.Zero);
            (Vector256.Load(gradient + i) & keep).Store(result + i);
        }

        for (; i < length; i++)
        {
            result[i] = output[i] > 0f ? gradient[i] : 0f;
        }
    }
}
