using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>Transposition: the one shape operation that moves elements.</summary>
internal static class ShapeKernels
{
    /// <summary>Host tiles: 32×32 floats, 4 KiB read and written while both stay in the first-level cache.</summary>
    private const int HostTile = 32;

    /// <summary>y[c, r] = x[r, c]. x is (rows, cols), y is (cols, rows).</summary>
    internal static void Transpose(Tensor x, Tensor y, int rows, int cols)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostTranspose(x, y, rows, cols);
            return;
        }

        launch.Run(LaunchShape.Elements((long)rows * cols), TransposeKernel, x.View, y.View, rows, cols);
    }

    /// <summary>One thread per output element, consecutive threads writing consecutive outputs (reads are strided).</summary>
    private static void TransposeKernel(ArrayView<float> x, ArrayView<float> y, int rows, int cols)
    {
        int stride = Grid.DimX * Group.DimX;
        int n = rows * cols;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            int c = i / rows;
            int r = i - (c * rows);
            y[i] = x[(r * cols) + c];
        }
    }

    private static void HostTranspose(Tensor x, Tensor y, int rows, int cols)
    {
        int tilesR = (rows + HostTile - 1) / HostTile;
        HostParallel.For(tilesR, (long)HostTile * cols, (first, last) =>
        {
            var input = HostMemory.Span(x);
            var output = HostMemory.Span(y);
            for (int r0 = first * HostTile; r0 < Math.Min(rows, last * HostTile); r0 += HostTile)
            {
                for (int c0 = 0; c0 < cols; c0 += HostTile)
                {
                    for (int r = r0; r < Math.Min(rows, r0 + HostTile); r++)
                    {
                        for (int c = c0; c < Math.Min(cols, c0 + HostTile); c++)
                        {
                            output[(c * rows) + r] = input[(r * cols) + c];
                        }
                    }
                }
            }
        });
    }
}
