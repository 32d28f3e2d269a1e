using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// One kernel per shape of computation, generic over the function: <c>y = f(x; s)</c> and its backward,
/// and the broadcasting <c>y = f(a, b)</c> and its backward. ILGPU compiles one specialised kernel per
/// function type, so the function's arithmetic is inlined as if written in place.
/// </summary>
internal static partial class ElementwiseKernels
{
    /// <summary>y = f(x; s). x and y are (n); y may be x.</summary>
    internal static void Unary<TFunction>(Tensor x, float s, Tensor y)
        where TFunction : struct, IUnaryFunction
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostUnary<TFunction>(x, s, y);
            return;
        }

        launch.Run(LaunchShape.Elements(y.Length), UnaryKernel<TFunction>, x.View, y.View, s, y.Length);
    }

    /// <summary>dx = g·f′(x, y; s), where y = f(x; s). All (n); dx may be g.</summary>
    internal static void UnaryBackward<TFunction>(Tensor g, Tensor x, Tensor y, float s, Tensor dx)
        where TFunction : struct, IUnaryFunction
    {
        using var launch = dx.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostUnaryBackward<TFunction>(g, x, y, s, dx);
            return;
        }

        launch.Run(LaunchShape.Elements(dx.Length), UnaryBackwardKernel<TFunction>, g.View, x.View, y.View, dx.View, s, dx.Length);
    }

    /// <summary>y = f(a, b) with a and b broadcast to y's (rows, cols) as <paramref name="shape"/> lays them out.</summary>
    internal static void Binary<TFunction>(Tensor a, Tensor b, Tensor y, Broadcast shape)
        where TFunction : struct, IBinaryFunction
    {
        var strides = Strides.Of(shape, a, b);
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostBinary<TFunction>(a, b, y, strides, shape.Rows);
            return;
        }

        launch.Run(LaunchShape.Elements(shape.Length), BinaryKernel<TFunction>, a.View, b.View, y.View, strides, shape.Length);
    }

    /// <summary>
    /// The local gradients of a broadcast binary function, at the output's shape: ga = g·∂f/∂a and
    /// gb = g·∂f/∂b (either may be null: not wanted). The caller sums them over broadcast dimensions.
    /// </summary>
    internal static void BinaryBackward<TFunction>(Tensor g, Tensor a, Tensor b, Tensor y, Tensor? ga, Tensor? gb, Broadcast shape)
        where TFunction : struct, IBinaryFunction
    {
        var strides = Strides.Of(shape, a, b);
        int which = (ga is null ? 0 : 1) | (gb is null ? 0 : 2);
        using var launch = g.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostBinaryBackward<TFunction>(g, a, b, y, ga, gb, strides, shape.Length);
            return;
        }

        // A missing gradient gets g as a dummy view, never written (which says so).
        launch.Run(LaunchShape.Elements(shape.Length), BinaryBackwardKernel<TFunction>,
            g.View, a.View, b.View, y.View, (ga ?? g).View, (gb ?? g).View, strides, shape.Length, which);
    }

    /// <summary>
    /// y = x repeated along the dimensions <paramref name="shape"/> broadcasts it over (the backward of a sum
    /// over an axis): y is (rows, cols) as the shape lays it out, x is read through its layout.
    /// </summary>
    internal static void Expand(Tensor x, Tensor y, Broadcast shape)
    {
        // x against itself: the b strides are unused.
        var strides = Strides.Of(shape, x, x);
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostExpand(x, y, strides, shape.Rows);
            return;
        }

        launch.Run(LaunchShape.Elements(shape.Length), ExpandKernel, x.View, y.View, strides, shape.Length);
    }

    private static void ExpandKernel(ArrayView<float> x, ArrayView<float> y, Strides strides, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = x[strides.A(i)];
        }
    }

    private static void UnaryKernel<TFunction>(ArrayView<float> x, ArrayView<float> y, float s, int n)
        where TFunction : struct, IUnaryFunction
    {
        TFunction f = default;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = f.Apply(x[i], s);
        }
    }

    private static void UnaryBackwardKernel<TFunction>(
        ArrayView<float> g, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dx, float s, int n)
        where TFunction : struct, IUnaryFunction
    {
        TFunction f = default;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            dx[i] = g[i] * f.Derivative(x[i], y[i], s);
        }
    }

    private static void BinaryKernel<TFunction>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, Strides strides, int n)
        where TFunction : struct, IBinaryFunction
    {
        TFunction f = default;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = f.Apply(a[strides.A(i)], b[strides.B(i)]);
        }
    }

    private static void BinaryBackwardKernel<TFunction>(
        ArrayView<float> g, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y,
        ArrayView<float> ga, ArrayView<float> gb, Strides strides, int n, int which)
        where TFunction : struct, IBinaryFunction
    {
        TFunction f = default;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            float av = a[strides.A(i)];
            float bv = b[strides.B(i)];
            float gv = g[i];
            if ((which & 1) != 0)
            {
                ga[i] = gv * f.DerivativeA(av, bv, y[i]);
            }

            if ((which & 2) != 0)
            {
                gb[i] = gv * f.DerivativeB(av, bv, y[i]);
            }
        }
    }

    /// <summary>Where output element i reads each operand: a kernel parameter, so it is passed by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly struct Strides(int columns, int aRow, int aColumn, int bRow, int bColumn, int dense)
    {
        private readonly int _columns = columns;
        private readonly int _aRow = aRow;
        private readonly int _aColumn = aColumn;
        private readonly int _bRow = bRow;
        private readonly int _bColumn = bColumn;

        // Bit 0: a is read element for element; bit 1: b is. Dense operands skip the division.
        private readonly int _dense = dense;

        internal int Columns => _columns;

        internal int ARow => _aRow;

        internal int AColumn => _aColumn;

        internal int BRow => _bRow;

        internal int BColumn => _bColumn;

        internal static Strides Of(Broadcast shape, Tensor a, Tensor b)
        {
            var la = shape.Layout(a);
            var lb = shape.Layout(b);
            return new Strides(shape.Columns, la.RowStride, la.ColumnStride, lb.RowStride, lb.ColumnStride,
                (la.IsDense ? 1 : 0) | (lb.IsDense ? 2 : 0));
        }

        internal int A(int i)
        {
            if ((_dense & 1) != 0)
            {
                return i;
            }

            int r = i / _columns;
            return (r * _aRow) + ((i - (r * _columns)) * _aColumn);
        }

        internal int B(int i)
        {
            if ((_dense & 2) != 0)
            {
                return i;
            }

            int r = i / _columns;
            return (r * _bRow) + ((i - (r * _columns)) * _bColumn);
        }
    }
}
