namespace GradientDescent;

public static partial class Ops
{
    /// <summary><c>a + b</c> elementwise, broadcasting like <c>tf.add</c> for ranks ≤ 2 (scalar, row, column).</summary>
    /// <param name="a">Any shape of rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>: equal extents, or 1 where they differ.</param>
    /// <returns>The broadcast shape: (n, 10) + (n, 1) is (n, 10).</returns>
    /// <remarks>Backward: da = g, db = g, each summed over the dimensions its operand was broadcast along.</remarks>
    /// <exception cref="ArgumentException">The shapes do not broadcast, a rank is above 2, or the devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Add(Tensor a, Tensor b) => Linear(nameof(Add), a, b, 1f);

    /// <summary><c>a − b</c> elementwise, broadcasting like <c>tf.subtract</c>.</summary>
    /// <param name="a">Any shape of rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    /// <remarks>Backward: da = g, db = −g, each summed over its broadcast dimensions.</remarks>
    /// <exception cref="ArgumentException">The shapes do not broadcast, a rank is above 2, or the devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Subtract(Tensor a, Tensor b) => Linear(nameof(Subtract), a, b, -1f);

    /// <summary><c>a·b</c> elementwise (the Hadamard product), broadcasting like <c>tf.multiply</c>.</summary>
    /// <param name="a">Any shape of rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    /// <remarks>Backward: da = g·b, db = g·a, each summed over its broadcast dimensions.</remarks>
    /// <exception cref="ArgumentException">The shapes do not broadcast, a rank is above 2, or the devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Multiply(Tensor a, Tensor b) => Binary<MultiplyFunction>(nameof(Multiply), a, b);

    /// <summary><c>a / b</c> elementwise, broadcasting like <c>tf.divide</c>.</summary>
    /// <param name="a">Any shape of rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>; a zero gives ±∞ or NaN, as in IEEE arithmetic.</param>
    /// <returns>The broadcast shape.</returns>
    /// <remarks>Backward: da = g / b, db = −g·a / b², each summed over its broadcast dimensions.</remarks>
    /// <exception cref="ArgumentException">The shapes do not broadcast, a rank is above 2, or the devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Divide(Tensor a, Tensor b) => Binary<DivideFunction>(nameof(Divide), a, b);

    /// <summary><c>max(a, b)</c> elementwise, broadcasting like <c>tf.math.maximum</c>; NaN propagates.</summary>
    /// <param name="a">Any shape of rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    /// <remarks>Backward, as TensorFlow: da = g where a ≥ b, db = g where b &gt; a (a tie's gradient goes to a).</remarks>
    /// <exception cref="ArgumentException">The shapes do not broadcast, a rank is above 2, or the devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary<MaximumFunction>(nameof(Maximum), a, b);

    /// <summary><c>min(a, b)</c> elementwise, broadcasting like <c>tf.math.minimum</c>; NaN propagates.</summary>
    /// <param name="a">Any shape of rank ≤ 2.</param>
    /// <param name="b">A shape that broadcasts with <paramref name="a"/>.</param>
    /// <returns>The broadcast shape.</returns>
    /// <remarks>Backward: da = g where a ≤ b, db = g where b &lt; a.</remarks>
    /// <exception cref="ArgumentException">The shapes do not broadcast, a rank is above 2, or the devices differ.</exception>
    /// <exception cref="ObjectDisposedException">An operand has been disposed.</exception>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary<MinimumFunction>(nameof(Minimum), a, b);

    /// <summary>The broadcasting binary operations whose gradients need the operands: one generic kernel each way.</summary>
    private static Tensor Binary<TFunction>(string op, Tensor a, Tensor b)
        where TFunction : struct, IBinaryFunction
    {
        var shape = CheckBroadcast(op, a, b);
        return Compute(op, a.Device, shape.Shape, y => ElementwiseKernels.Binary<TFunction>(a, b, y, shape), [a, b],
            y => (g, needed) =>
            {
                var (la, lb) = (shape.Layout(a), shape.Layout(b));
                Tensor? ga = needed[0] ? Tensor.Uninitialized(a.Device, la.IsDense ? [.. a.Shape] : shape.Shape) : null;
                Tensor? gb = null;
                try
                {
                    gb = needed[1] ? Tensor.Uninitialized(b.Device, lb.IsDense ? [.. b.Shape] : shape.Shape) : null;
                    ElementwiseKernels.BinaryBackward<TFunction>(g, a, b, y, ga, gb, shape);
                    return [SumTo(ga, a, shape), SumTo(gb, b, shape)];
                }
                catch
                {
                    ga?.Release();
                    gb?.Release();
                    throw;
                }
            },
            [SavedTensor.Of("a", a), SavedTensor.Of("b", b)], savesResult: true);
    }

    /// <summary>Add and subtract: their gradients are g and ±g, so the backward needs neither operand.</summary>
    private static Tensor Linear(string op, Tensor a, Tensor b, float sign)
    {
        var shape = CheckBroadcast(op, a, b);
        bool dense = shape.Layout(a).IsDense && shape.Layout(b).IsDense && a.Rank == b.Rank;
        return Compute(op, a.Device, shape.Shape,
            y =>
            {
                if (dense)
                {
                    ElementwiseKernels.AddScaled(a, sign, b, y);
                }
                else if (sign > 0)
                {
                    ElementwiseKernels.Binary<AddFunction>(a, b, y, shape);
                }
                else
                {
                    ElementwiseKernels.Binary<SubtractFunction>(a, b, y, shape);
                }
            },
            [a, b], _ => (g, needed) =>
            [
                needed[0] ? SumOf(g, a, shape, 1f) : null,
                needed[1] ? SumOf(g, b, shape, sign) : null,
            ]);
    }

    private static Broadcast CheckBroadcast(string op, Tensor a, Tensor b)
    {
        TensorChecks.Live(op, a, nameof(a));
        TensorChecks.Live(op, b, nameof(b));
        TensorChecks.SameDevice(op, a, b);
        return Broadcast.Of(op, a, b);
    }

    /// <summary>
    /// The gradient of <paramref name="operand"/> from a local gradient at the output's shape: summed over the
    /// dimensions the operand was broadcast along and shaped like the operand. Takes ownership of <paramref name="local"/>.
    /// </summary>
    private static Tensor? SumTo(Tensor? local, Tensor operand, Broadcast shape)
    {
        if (local is null)
        {
            return null;
        }

        var layout = shape.Layout(operand);
        if (layout.IsDense)
        {
            return local;
        }

        try
        {
            return Fresh(operand.Device, [.. operand.Shape], sum => SumOver(local, layout, shape, sum));
        }
        finally
        {
            local.Release();
        }
    }

    /// <summary>sign·g summed over <paramref name="operand"/>'s broadcast dimensions, shaped like it.</summary>
    private static Tensor SumOf(Tensor g, Tensor operand, Broadcast shape, float sign)
    {
        var layout = shape.Layout(operand);
        if (layout.IsDense)
        {
            return sign == 1f ? g.CopyAs([.. operand.Shape]) : Fresh(g.Device, [.. operand.Shape], y => ElementwiseKernels.Scale(g, sign, y));
        }

        return Fresh(g.Device, [.. operand.Shape], sum =>
        {
            SumOver(g, layout, shape, sum);
            if (sign != 1f)
            {
                ElementwiseKernels.Scale(sum, sign, sum);
            }
        });
    }

    private static void SumOver(Tensor full, OperandLayout layout, Broadcast shape, Tensor sum)
    {
        if (layout.SumsRows && layout.SumsColumns)
        {
            ReductionKernels.Total(full, sum, 1f);
        }
        else if (layout.SumsRows)
        {
            ReductionKernels.Columns<SumReduction>(full, sum, shape.Rows, shape.Columns);
        }
        else
        {
            ReductionKernels.Rows<SumReduction>(full, sum, shape.Rows, shape.Columns);
        }
    }
}
