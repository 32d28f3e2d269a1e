namespace GradientDescent;

/// <summary>Host versions of the generic elementwise kernels.</summary>
internal static partial class ElementwiseKernels
{
    private static void HostUnary<TFunction>(Tensor x, float s, Tensor y)
        where TFunction : struct, IUnaryFunction =>
        HostParallel.Chunks(y.Length, (from, length) =>
            default(TFunction).Apply(HostMemory.Span(x).Slice(from, length), s, HostMemory.Span(y).Slice(from, length)));

    private static void HostUnaryBackward<TFunction>(Tensor g, Tensor x, Tensor y, float s, Tensor dx)
        where TFunction : struct, IUnaryFunction =>
        HostParallel.Chunks(dx.Length, (from, length) =>
        {
            TFunction f = default;
            var gs = HostMemory.Span(g);
            var xs = HostMemory.Span(x);
            var ys = HostMemory.Span(y);
            var ds = HostMemory.Span(dx);
            for (int i = from; i < from + length; i++)
            {
                ds[i] = gs[i] * f.Derivative(xs[i], ys[i], s);
            }
        });

    /// <summary>Row by row, each operand read as a row span, a row repeated, or one value repeated along the row.</summary>
    private static void HostBinary<TFunction>(Tensor a, Tensor b, Tensor y, Strides strides, int rows)
        where TFunction : struct, IBinaryFunction
    {
        int cols = strides.Columns;
        if (strides.AColumn == 1 && strides.BColumn == 1 && strides.ARow == cols && strides.BRow == cols)
        {
            HostParallel.Chunks(y.Length, (from, length) => default(TFunction).Apply(
                HostMemory.Span(a).Slice(from, length), HostMemory.Span(b).Slice(from, length), HostMemory.Span(y).Slice(from, length)));
            return;
        }

        HostParallel.For(rows, cols, (first, last) =>
        {
            TFunction f = default;
            var av = HostMemory.Span(a);
            var bv = HostMemory.Span(b);
            var yv = HostMemory.Span(y);
            for (int r = first; r < last; r++)
            {
                var output = yv.Slice(r * cols, cols);
                int aStart = r * strides.ARow, bStart = r * strides.BRow;
                if (strides.AColumn == 0 && strides.BColumn == 0)
                {
                    output.Fill(f.Apply(av[aStart], bv[bStart]));
                }
                else if (strides.AColumn == 0)
                {
                    f.Apply(av[aStart], bv.Slice(bStart, cols), output);
                }
                else if (strides.BColumn == 0)
                {
                    f.Apply(av.Slice(aStart, cols), bv[bStart], output);
                }
                else
                {
                    f.Apply(av.Slice(aStart, cols), bv.Slice(bStart, cols), output);
                }
            }
        });
    }

    private static void HostExpand(Tensor x, Tensor y, Strides strides, int rows)
    {
        int cols = strides.Columns;
        HostParallel.For(rows, cols, (first, last) =>
        {
            var xv = HostMemory.Span(x);
            var yv = HostMemory.Span(y);
            for (int r = first; r < last; r++)
            {
                var output = yv.Slice(r * cols, cols);
                if (strides.AColumn == 0)
                {
                    output.Fill(xv[r * strides.ARow]);
                }
                else
                {
                    xv.Slice(r * strides.ARow, cols).CopyTo(output);
                }
            }
        });
    }

    private static void HostBinaryBackward<TFunction>(
        Tensor g, Tensor a, Tensor b, Tensor y, Tensor? ga, Tensor? gb, Strides strides, int n)
        where TFunction : struct, IBinaryFunction =>
        HostParallel.Chunks(n, (from, length) =>
        {
            TFunction f = default;
            var gs = HostMemory.Span(g);
            var av = HostMemory.Span(a);
            var bv = HostMemory.Span(b);
            var ys = HostMemory.Span(y);
            var das = ga is null ? default : HostMemory.Span(ga);
            var dbs = gb is null ? default : HostMemory.Span(gb);
            for (int i = from; i < from + length; i++)
            {
                float x = av[strides.A(i)], z = bv[strides.B(i)];
                if (ga is not null)
                {
                    das[i] = gs[i] * f.DerivativeA(x, z, ys[i]);
                }

                if (gb is not null)
                {
                    dbs[i] = gs[i] * f.DerivativeB(x, z, ys[i]);
                }
            }
        });
}
