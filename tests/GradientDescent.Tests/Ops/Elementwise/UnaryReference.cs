namespace GradientDescent.Tests;

/// <summary>The elementwise functions of one tensor, by name, as the reference takes them.</summary>
public enum UnaryOp
{
    Exp,
    Log,
    Negate,
    Square,
    Sqrt,
    Tanh,
    Sigmoid,
}

public static partial class ReferenceOps
{
    /// <summary><c>y = f(x)</c> elementwise.</summary>
    /// <param name="op">The function f.</param>
    /// <param name="x">Any shape.</param>
    /// <returns>y, the shape of x.</returns>
    public static double[] Unary(UnaryOp op, double[] x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            y[i] = op switch
            {
                UnaryOp.Exp => Math.Exp(v),
                UnaryOp.Log => Math.Log(v),
                UnaryOp.Negate => -v,
                UnaryOp.Square => v * v,
                UnaryOp.Sqrt => Math.Sqrt(v),
                UnaryOp.Tanh => Math.Tanh(v),
                UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-v)),
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            };
        }

        return y;
    }

    /// <summary>
    /// Backward of <see cref="Unary"/>: <c>dx = g·f′(x)</c>, the derivative written in x from the calculus
    /// (1/cosh² for tanh, e⁻ˣ/(1 + e⁻ˣ)² for the sigmoid), not from y as the library's kernels take it.
    /// </summary>
    /// <param name="op">The function f.</param>
    /// <param name="x">The forward input, any shape.</param>
    /// <param name="g">The shape of x.</param>
    /// <returns>dx, the shape of x.</returns>
    public static double[] UnaryBackward(UnaryOp op, double[] x, double[] g)
    {
        var dx = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double derivative = op switch
            {
                UnaryOp.Exp => Math.Exp(v),
                UnaryOp.Log => 1 / v,
                UnaryOp.Negate => -1,
                UnaryOp.Square => 2 * v,
                UnaryOp.Sqrt => 0.5 / Math.Sqrt(v),
                UnaryOp.Tanh => 1 / (Math.Cosh(v) * Math.Cosh(v)),
                // e^−|v| / (1 + e^−|v|)², the same for ±v (σ′ is even), so neither sign overflows.
                UnaryOp.Sigmoid => Math.Exp(-Math.Abs(v)) / ((1 + Math.Exp(-Math.Abs(v))) * (1 + Math.Exp(-Math.Abs(v)))),
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            };
            dx[i] = g[i] * derivative;
        }

        return dx;
    }
}
