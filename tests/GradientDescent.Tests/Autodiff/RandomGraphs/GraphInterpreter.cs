namespace GradientDescent.Tests;

/// <summary>
/// An independent float64 evaluator of a random graph: every op written again as plain loops over
/// row-major arrays, with nothing shared with the library. It also measures how close the values come to
/// the kinks of ReLU, maximum, minimum and max, and can run each op with a perturbation as large as the
/// float32 op's own rounding error, from which <see cref="GraphOracle"/> derives its tolerances.
/// </summary>
internal sealed partial class GraphInterpreter(Graph graph)
{
    /// <summary>The closest any kink decision came, relative to max(1, |operands|); exact ties are not counted (see <see cref="Kink"/>).</summary>
    public double Margin { get; private set; }

    /// <summary>Where <see cref="Margin"/> was measured, for messages.</summary>
    public string MarginAt { get; private set; } = "";

    /// <summary>
    /// Every node's values for the given input values (by <see cref="Graph.Inputs"/> order). Realization 0 is
    /// exact; realization ρ ≥ 1 perturbs each result by a fixed pseudo-random fraction of that op's float32
    /// error bound, the same fraction at every evaluation, so the perturbed graph is still a smooth function.
    /// </summary>
    public double[][] Evaluate(double[][] inputs, int realization)
    {
        Margin = double.PositiveInfinity;
        MarginAt = "";
        var v = new double[graph.Nodes.Count][];
        foreach (var node in graph.Nodes)
        {
            double[][] args = [.. node.Args.Select(a => v[a.Id])];
            var y = node.Op switch
            {
                GraphOp.Input => (double[])inputs[graph.Inputs.IndexOf(node)].Clone(),
                GraphOp.Constant => node.Values.ToDouble(),
                _ => Compute(node, args),
            };
            if (realization > 0)
            {
                Perturb(node, args, y, realization);
            }

            v[node.Id] = y;
        }

        return v;
    }

    /// <summary>Σ of the target's elements: the scalar whose gradient the tape computes for a non-scalar target.</summary>
    public double TargetSum(double[][] inputs, int realization) => Evaluate(inputs, realization)[graph.Target.Id].Sum();

    private double[] Compute(GraphNode n, double[][] a)
    {
        double[] x = a.Length > 0 ? a[0] : [];
        double s = n.S;
        switch (n.Op)
        {
            case GraphOp.Exp: return Map(x, Math.Exp);
            case GraphOp.Log: return Map(x, Math.Log);
            case GraphOp.Negate: return Map(x, t => -t);
            case GraphOp.Square: return Map(x, t => t * t);
            case GraphOp.Sqrt: return Map(x, Math.Sqrt);
            case GraphOp.Tanh: return Map(x, Math.Tanh);
            case GraphOp.Sigmoid: return Map(x, t => 1 / (1 + Math.Exp(-t)));
            case GraphOp.Relu:
                Kinks(n, x, _ => 0);
                return Map(x, t => t > 0 ? t : 0);
            case GraphOp.AddScalar: return Map(x, t => t + s);
            case GraphOp.SubtractScalar: return Map(x, t => t - s);
            case GraphOp.ScalarSubtract: return Map(x, t => s - t);
            case GraphOp.MultiplyScalar or GraphOp.Scale: return Map(x, t => t * s);
            case GraphOp.DivideScalar: return Map(x, t => t / s);
            case GraphOp.ScalarDivide: return Map(x, t => s / t);
            case GraphOp.MaximumScalar or GraphOp.MinimumScalar:
                Kinks(n, x, _ => s);
                return n.Op == GraphOp.MaximumScalar ? Map(x, t => Math.Max(t, s)) : Map(x, t => Math.Min(t, s));
            case GraphOp.Add: return Broadcast(n, a, (p, q) => p + q);
            case GraphOp.Subtract: return Broadcast(n, a, (p, q) => p - q);
            case GraphOp.Multiply: return Broadcast(n, a, (p, q) => p * q);
            case GraphOp.Divide: return Broadcast(n, a, (p, q) => p / q);
            case GraphOp.Maximum or GraphOp.Minimum:
                // The same node on both sides ties everywhere, and moves with itself: no kink to avoid.
                if (n.Args[0] != n.Args[1])
                {
                    var diff = Broadcast(n, a, (p, q) => p - q);
                    var scale = Broadcast(n, a, (p, q) => Math.Max(Math.Abs(p), Math.Abs(q)));
                    for (int i = 0; i < diff.Length; i++)
                    {
                        Kink(n, diff[i], scale[i], i);
                    }
                }

                return n.Op == GraphOp.Maximum ? Broadcast(n, a, Math.Max) : Broadcast(n, a, Math.Min);
            case GraphOp.AddBias or GraphOp.AddBiasRelu:
                {
                    int cols = n.Shape[1];
                    var y = new double[x.Length];
                    for (int i = 0; i < y.Length; i++)
                    {
                        double z = x[i] + a[1][i % cols];
                        if (n.Op == GraphOp.AddBiasRelu)
                        {
                            Kink(n, z, Math.Abs(z), i);
                            z = z > 0 ? z : 0;
                        }

                        y[i] = z;
                    }

                    return y;
                }

            case GraphOp.MatMul: return MatMul(n, a[0], a[1]);
            case GraphOp.Sum: return [x.Sum()];
            case GraphOp.Mean: return [x.Sum() / x.Length];
            case GraphOp.Max:
                MaxKinks(n, [x]);
                return [x.Max()];
            case GraphOp.SumAxis or GraphOp.MeanAxis or GraphOp.MaxAxis:
                {
                    var groups = AxisGroups(n, x);
                    if (n.Op == GraphOp.MaxAxis)
                    {
                        MaxKinks(n, groups);
                        return [.. groups.Select(g => g.Max())];
                    }

                    return [.. groups.Select(g => g.Sum() / (n.Op == GraphOp.MeanAxis ? g.Length : 1))];
                }

            case GraphOp.ColumnSum:
                {
                    int rows = n.Args[0].Shape[0], cols = n.Args[0].Shape[1];
                    var y = new double[cols];
                    for (int i = 0; i < rows; i++)
                    {
                        for (int j = 0; j < cols; j++)
                        {
                            y[j] += x[(i * cols) + j];
                        }
                    }

                    return y;
                }

            case GraphOp.LogSoftmax: return [.. Rows(x, n.Shape[1]).SelectMany(LogSoftmaxRow)];
            case GraphOp.CrossEntropyLabels:
                {
                    var rows = Rows(x, n.Args[0].Shape[1]);
                    return [.. rows.Select((row, r) => -LogSoftmaxRow(row)[n.Ints[r]])];
                }

            case GraphOp.CrossEntropyDense:
                {
                    int cols = n.Args[0].Shape[1];
                    var rows = Rows(x, cols);
                    return [.. rows.Select((row, r) => -LogSoftmaxRow(row).Select((l, j) => a[1][(r * cols) + j] * l).Sum())];
                }

            case GraphOp.GatherPairs:
                return [.. n.Ints.Select((row, i) => x[(row * n.Args[0].Shape[1]) + n.Columns[i]])];
            case GraphOp.GatherLabels:
                return [.. n.Ints.Select((label, r) => x[(r * n.Args[0].Shape[1]) + label])];
            case GraphOp.OneHot:
                {
                    int cols = n.Shape[1];
                    var y = new double[n.Length];
                    for (int r = 0; r < n.Shape[0]; r++)
                    {
                        y[(r * cols) + n.Ints[r]] = 1;
                    }

                    return y;
                }

            case GraphOp.Transpose:
                {
                    int rows = n.Args[0].Shape[0], cols = n.Args[0].Shape[1];
                    var y = new double[x.Length];
                    for (int i = 0; i < rows; i++)
                    {
                        for (int j = 0; j < cols; j++)
                        {
                            y[(j * rows) + i] = x[(i * cols) + j];
                        }
                    }

                    return y;
                }

            case GraphOp.Reshape or GraphOp.Clone: return (double[])x.Clone();
            case GraphOp.Rows or GraphOp.RowRange:
                {
                    int cols = n.Shape[1];
                    return x[(n.Start * cols)..((n.Start + n.Count) * cols)];
                }

            default: throw new NotSupportedException($"No float64 evaluation for {n.Op}.");
        }
    }

    private static double[] Map(double[] x, Func<double, double> f) => [.. x.Select(f)];

    /// <summary>NumPy broadcasting for rank ≤ 2: each operand read as a (rows, cols) matrix, a stride of 0 where its extent is 1.</summary>
    private static double[] Broadcast(GraphNode n, double[][] a, Func<double, double, double> f)
    {
        var (rows, cols) = AsMatrix(n.Shape);
        var (ar, ac) = AsMatrix(n.Args[0].Shape);
        var (br, bc) = AsMatrix(n.Args[1].Shape);
        var y = new double[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double p = a[0][((ar == 1 ? 0 : i) * ac) + (ac == 1 ? 0 : j)];
                double q = a[1][((br == 1 ? 0 : i) * bc) + (bc == 1 ? 0 : j)];
                y[(i * cols) + j] = f(p, q);
            }
        }

        return y;
    }

    private static (int Rows, int Cols) AsMatrix(int[] shape) => shape.Length switch
    {
        0 => (1, 1),
        1 => (1, shape[0]),
        _ => (shape[0], shape[1]),
    };

    private static double[] MatMul(GraphNode n, double[] a, double[] b)
    {
        int m = n.Shape[0], cols = n.Shape[1];
        int k = n.TransposeA ? n.Args[0].Shape[0] : n.Args[0].Shape[1];
        var y = new double[m * cols];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double ai = n.TransposeA ? a[(p * m) + i] : a[(i * k) + p];
                    double bj = n.TransposeB ? b[(j * k) + p] : b[(p * cols) + j];
                    sum += ai * bj;
                }

                y[(i * cols) + j] = sum;
            }
        }

        return y;
    }

    /// <summary>The groups an axis reduction reduces, in the order of its result.</summary>
    private static double[][] AxisGroups(GraphNode n, double[] x)
    {
        var shape = n.Args[0].Shape;
        if (shape.Length == 1)
        {
            return [x];
        }

        int rows = shape[0], cols = shape[1];
        bool alongRows = n.Axis is 1 or -1;
        return alongRows
            ? Rows(x, cols)
            : [.. Enumerable.Range(0, cols).Select(j => Enumerable.Range(0, rows).Select(i => x[(i * cols) + j]).ToArray())];
    }

    private static double[][] Rows(double[] x, int cols) => [.. x.Chunk(cols)];

    private static double[] LogSoftmaxRow(double[] row)
    {
        double max = row.Max();
        double log = Math.Log(row.Sum(t => Math.Exp(t - max)));
        return [.. row.Select(t => t - max - log)];
    }
}
