namespace GradientDescent;

public static partial class Ops
{
    /// <summary><c>y = max(x, 0)</c> elementwise, like <c>tf.nn.relu</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <returns>The shape of <paramref name="x"/>.</returns>
    /// <remarks>Backward: dx = g where y &gt; 0, else 0 (the subgradient 0 at x = 0).</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed.</exception>
    public static Tensor Relu(Tensor x)
    {
        TensorChecks.Live(nameof(Relu), x, nameof(x));
        return Compute(nameof(Relu), x.Device, [.. x.Shape], y => ReluKernels.Forward(x, null, y, relu: true),
            [x], y => (g, _) => [ReluGradient(g, y)], savesResult: true);
    }

    /// <summary><c>y = x + b</c>, the bias broadcast over rows, like <c>tf.nn.bias_add</c>.</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="b">(cols).</param>
    /// <returns>(rows, cols).</returns>
    /// <remarks>Backward: dx = g, db = Σ_rows g.</remarks>
    /// <exception cref="ArgumentException">Wrong ranks, <c>b</c>'s length differs from cols, or different devices.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor AddBias(Tensor x, Tensor b) => BiasForward(nameof(AddBias), x, b, relu: false);

    /// <summary><c>y = max(x + b, 0)</c>: bias add and ReLU fused in one kernel (one launch, one pass over memory).</summary>
    /// <param name="x">(rows, cols).</param>
    /// <param name="b">(cols).</param>
    /// <returns>(rows, cols).</returns>
    /// <remarks>Backward: dz = g where y &gt; 0 else 0; dx = dz, db = Σ_rows dz.</remarks>
    /// <exception cref="ArgumentException">Wrong ranks, <c>b</c>'s length differs from cols, or different devices.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor AddBiasRelu(Tensor x, Tensor b) => BiasForward(nameof(AddBiasRelu), x, b, relu: true);

    private static Tensor BiasForward(string op, Tensor x, Tensor b, bool relu)
    {
        TensorChecks.Rank(op, x, nameof(x), 2);
        TensorChecks.Rank(op, b, nameof(b), 1);
        TensorChecks.SameDevice(op, x, b);
        if (b.Length != x.Shape[1])
        {
            throw new ArgumentException($"{op}: bias b has shape {b.ShapeText} but x has shape {x.ShapeText}; b needs {x.Shape[1]} elements.", nameof(b));
        }

        return Compute(op, x.Device, [.. x.Shape], y => ReluKernels.Forward(x, b, y, relu), [x, b], savesResult: relu, backward: y => (g, needed) =>
        {
            var dz = relu ? ReluGradient(g, y) : Copy(g);
            Tensor? db = null;
            if (needed[1])
            {
                try
                {
                    db = Fresh(x.Device, [x.Shape[1]], sums => ReductionKernels.ColumnSum(dz, sums));
                }
                catch
                {
                    dz.Release();
                    throw;
                }
            }

            if (!needed[0])
            {
                dz.Release();
                return [null, db];
            }

            return [dz, db];
        });
    }

    private static Tensor ReluGradient(Tensor g, Tensor y) =>
        Fresh(g.Device, [.. g.Shape], dx => ReluKernels.Backward(g, y, dx));
}
