namespace GradientDescent.Tests;

// Kink margins and the rounding model of the float64 evaluator.
internal sealed partial class GraphInterpreter
{
    /// <summary>
    /// Records how close <c>diff</c> (the two sides of a kink decision) is to zero, relative to max(1, scale).
    /// An exact tie is not a near miss: in these graphs it only arises between values that are the same
    /// function of the inputs (e·e, a broadcast row, eᵀe's mirrored entries) or locally constant (ReLU's
    /// zeros, a clamped constant), and there every split of the gradient the library may choose is the derivative.
    /// </summary>
    private void Kink(GraphNode n, double diff, double scale, int index)
    {
        if (diff == 0)
        {
            return;
        }

        double margin = Math.Abs(diff) / Math.Max(1, scale);
        if (margin < Margin)
        {
            Margin = margin;
            MarginAt = $"{n.Op} (t{n.Id}) at element {index}";
        }
    }

    private void Kinks(GraphNode n, double[] x, Func<int, double> threshold)
    {
        for (int i = 0; i < x.Length; i++)
        {
            Kink(n, x[i] - threshold(i), Math.Max(Math.Abs(x[i]), Math.Abs(threshold(i))), i);
        }
    }

    /// <summary>For max reductions: the gap between each group's maximum and the next distinct value.</summary>
    private void MaxKinks(GraphNode n, double[][] groups)
    {
        for (int g = 0; g < groups.Length; g++)
        {
            double max = groups[g].Max();
            var below = groups[g].Where(t => t < max).ToArray();
            if (below.Length > 0)
            {
                Kink(n, max - below.Max(), Math.Abs(max), g);
            }
        }
    }

    /// <summary>
    /// The rounding model. Each op's result is perturbed by a fixed pseudo-random fraction (in [−1, 1]) of the
    /// error bound of that float32 op on exact operands: two roundings (u = 2⁻²⁴) for arithmetic (one forward,
    /// about one in the backward rule), four ulp for exp, log, sqrt, tanh and sigmoid, γ(k)·Σ|terms| for k-term sums and products
    /// (<see cref="Tolerance.Accumulation"/>), and the log-softmax bound for log-softmax and cross-entropy.
    /// Exact ops (negation, ReLU, max, min, gathers, copies, views) are not perturbed. A relative
    /// perturbation of a result also perturbs the local derivative by the same factor, which is how the
    /// backward pass's own roundings enter the model; for the ops whose backward rule has an absolute error
    /// of its own (1 − y², y·(1 − y), g − softmax·Σg, softmax − target), a term η·x, with |η| that error, perturbs
    /// the Jacobian directly while moving the value by no more than a rounding.
    /// </summary>
    private static void Perturb(GraphNode n, double[][] a, double[] y, int rho)
    {
        const double U = Tolerance.U;
        switch (n.Op)
        {
            case GraphOp.AddScalar or GraphOp.SubtractScalar or GraphOp.ScalarSubtract or GraphOp.MultiplyScalar or GraphOp.Scale
                or GraphOp.DivideScalar or GraphOp.ScalarDivide or GraphOp.Add or GraphOp.Subtract or GraphOp.Multiply
                or GraphOp.Divide or GraphOp.Square or GraphOp.AddBias or GraphOp.AddBiasRelu:
                Relative(n, y, 2 * U, 0, rho);
                break;
            case GraphOp.Exp or GraphOp.Log or GraphOp.Sqrt:
                Relative(n, y, 4 * U, U, rho);
                break;
            case GraphOp.Tanh or GraphOp.Sigmoid:
                {
                    // Their backward rules read the float32 result: 1 − y² and y·(1 − y) cancel where y nears 1, so
                    // y's own error (4 ulp) becomes an absolute error of the derivative, 8u·y² and 4u·y.
                    for (int i = 0; i < y.Length; i++)
                    {
                        double derivativeError = n.Op == GraphOp.Tanh ? (8 * U * y[i] * y[i]) + (2 * U) : (4 * U * Math.Abs(y[i])) + (2 * U);
                        y[i] += derivativeError * R(rho, n.Id, i, 4) * a[0][i];
                    }

                    Relative(n, y, 4 * U, U, rho);
                    break;
                }

            case GraphOp.Sum or GraphOp.Mean:
                Absolute(n, y, _ => Tolerance.Accumulation(a[0].Length) * a[0].Sum(Math.Abs) / (n.Op == GraphOp.Mean ? a[0].Length : 1), rho);
                Relative(n, y, n.Op == GraphOp.Mean ? U : 0, 0, rho);
                break;
            case GraphOp.SumAxis or GraphOp.MeanAxis:
                {
                    var groups = AxisGroups(n, a[0]);
                    double scale = n.Op == GraphOp.MeanAxis ? 1.0 / groups[0].Length : 1;
                    Absolute(n, y, i => Tolerance.Accumulation(groups[i].Length) * groups[i].Sum(Math.Abs) * scale, rho);
                    Relative(n, y, n.Op == GraphOp.MeanAxis ? U : 0, 0, rho);
                    break;
                }

            case GraphOp.ColumnSum:
                {
                    int rows = n.Args[0].Shape[0], cols = n.Shape[0];
                    Absolute(n, y, j => Tolerance.Accumulation(rows) * Enumerable.Range(0, rows).Sum(i => Math.Abs(a[0][(i * cols) + j])), rho);
                    break;
                }

            case GraphOp.MatMul:
                {
                    int k = n.TransposeA ? n.Args[0].Shape[0] : n.Args[0].Shape[1];
                    var magnitude = MatMul(n, [.. a[0].Select(Math.Abs)], [.. a[1].Select(Math.Abs)]);
                    Absolute(n, y, i => Tolerance.Accumulation(Math.Max(k, Math.Max(n.Shape[0], n.Shape[1]))) * magnitude[i], rho);
                    break;
                }

            case GraphOp.LogSoftmax:
                {
                    int cols = n.Shape[1];
                    for (int i = 0; i < y.Length; i++)
                    {
                        int row = i / cols * cols;
                        double maxAbs = a[0].Skip(row).Take(cols).Max(Math.Abs);
                        // The backward rule g − softmax·Σg reads softmax = exp(y) from the float32 result, so y's
                        // absolute error becomes the relative error of each softmax term of the Jacobian.
                        double error = Tolerance.LogSoftmax(cols, maxAbs);
                        y[i] += error * R(rho, n.Id, i, 2);
                        for (int k = 0; k < cols; k++)
                        {
                            y[i] += Math.Max(error, Tolerance.Softmax(cols)) * R(rho, n.Id, (i * cols) + k, 3) * a[0][row + k];
                        }
                    }

                    break;
                }

            case GraphOp.CrossEntropyLabels or GraphOp.CrossEntropyDense:
                {
                    int cols = n.Args[0].Shape[1];
                    for (int r = 0; r < y.Length; r++)
                    {
                        var logits = a[0].Skip(r * cols).Take(cols).ToArray();
                        double mass = n.Op == GraphOp.CrossEntropyDense ? a[1].Skip(r * cols).Take(cols).Sum() : 1;
                        y[r] += Tolerance.LogSoftmax(cols, logits.Max(Math.Abs)) * mass * R(rho, n.Id, r, 2);
                        for (int j = 0; j < cols; j++)
                        {
                            y[r] += Tolerance.Softmax(cols) * mass * R(rho, n.Id, (r * cols) + j, 3) * logits[j];
                        }
                    }

                    break;
                }

            default:
                break;
        }
    }

    private static void Relative(GraphNode n, double[] y, double relative, double absolute, int rho)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += ((relative * y[i]) + absolute) * R(rho, n.Id, i, 0);
        }
    }

    private static void Absolute(GraphNode n, double[] y, Func<int, double> bound, int rho)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += bound(i) * R(rho, n.Id, i, 1);
        }
    }

    /// <summary>A fixed value in [−1, 1] for (realization, node, element, purpose): SplitMix64's finaliser of the four.</summary>
    private static double R(int rho, int node, int index, int salt)
    {
        ulong z = ((ulong)rho * 0x9E3779B97F4A7C15UL) ^ ((ulong)node << 40) ^ ((ulong)index << 8) ^ (ulong)salt;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return ((z >> 11) * (2.0 / (1UL << 53))) - 1;
    }
}
