using System.Globalization;

namespace GradientDescent.Tests;

/// <summary>
/// The property for one graph: the library's target and every gradient against the float64 evaluator and its
/// central finite differences, within tolerances the rounding model derives for this graph.
/// </summary>
/// <remarks>
/// <para>
/// Expected gradient: ∂(Σ target)/∂xⱼ by central differences of <see cref="GraphInterpreter"/>, step
/// h = 1e-6·max(1, |xⱼ|), divided by the step actually represented. Its own error is far below the
/// tolerance: truncation h²·φ‴/6 ≈ 1e-13 for the bounded values kept here, rounding about
/// 4ε·Φ/(2h) with Φ = Σ|node values| (ε = 2⁻⁵²), which is the <c>fd</c> term below.
/// </para>
/// <para>
/// Tolerance, per element: |library − expected| ≤ 10·sⱼ + 0.5·max(s) + 8u·|expected| + fd, where sⱼ is the
/// spread of that element over three runs of the evaluator with every op perturbed by its float32 rounding
/// bound (<see cref="GraphInterpreter"/>'s rounding model: the first-order error float32 forward and backward
/// passes make, estimated for this graph, including its cancellations and conditioning). Rounding errors add
/// like random signs, so one realisation is of the order of the library's own error: 10× the largest of three
/// leaves room for an unlucky realisation and for kernels a few ulp worse than modelled. max(s)/2 keeps a
/// small element from being judged alone where the whole gradient carries noise (a norm-wise floor); 8u is
/// the rounding of results the model leaves exact. A wrong backward rule errs by a fraction of the gradient
/// itself, typically 1e-2 or more (a dropped term of a 60-term sum, a missing scale, a wrong sign), while these
/// tolerances come to 1e-7 to 1e-5 of it; the permanent control in RandomGraphTests shifts one element by 1e-4
/// of the largest and must fail.
/// </para>
/// <para>
/// Inputs: U(−1.5, 1.5) as float32 (exact in float64). Values are redrawn (up to 8 times) when a kink
/// decision falls within 1e-3·max(1, |operands|) of its threshold — float32 error and the difference step are
/// both far smaller, so the library and the differences see the same branch — or any value exceeds 1e4.
/// </para>
/// </remarks>
internal static class GraphCheck
{
    public const double NeededMargin = 1e-3;
    public const double Largest = 1e4;
    private const int Realizations = 3;
    private const int Draws = 8;

    /// <summary>The float64 unit roundoff's double, 2⁻⁵² (the spacing of doubles at 1).</summary>
    private const double Epsilon = 1.0 / (1L << 52);

    /// <summary>
    /// Checks one graph: the largest error/tolerance ratio of any element (at most 1), or null when no draw of
    /// input values kept clear of the kinks (the case is discarded).
    /// </summary>
    /// <exception cref="GraphCheckException">The library disagrees; the message names the worst element.</exception>
    public static double? Run(ComputeDevice device, Graph graph, Func<DeviceResult, DeviceResult>? tamper = null)
    {
        var interpreter = new GraphInterpreter(graph);
        for (int draw = 0; draw < Draws; draw++)
        {
            var random = new Random(graph.ValueSeed + (draw * 7919));
            var values = graph.Inputs.Select(n => RandomArrays.Uniform(random, n.Length, -1.5, 1.5)).ToArray();
            var x = values.Select(v => v.ToDouble()).ToArray();
            var exact = interpreter.Evaluate(x, 0);
            if (interpreter.Margin < NeededMargin || exact.Any(v => v.Any(e => !double.IsFinite(e) || Math.Abs(e) > Largest)))
            {
                continue;
            }

            var result = GraphOnDevice.Run(device, graph, values);
            return Compare(graph, interpreter, x, exact, tamper is null ? result : tamper(result));
        }

        return null;
    }

    private static double Compare(Graph graph, GraphInterpreter interpreter, double[][] x, double[][] exact, DeviceResult result)
    {
        var worst = new Worst();
        var target = exact[graph.Target.Id];
        var perturbed = Enumerable.Range(1, Realizations).Select(r => interpreter.Evaluate(x, r)[graph.Target.Id]).ToArray();
        worst.Compare("target", graph.Target.Shape, result.Target, target, Spread(target, perturbed), null);

        var reachable = Reachable(graph.Target);
        double magnitude = exact.Sum(v => v.Sum(Math.Abs));
        for (int i = 0; i < graph.Inputs.Count; i++)
        {
            var input = graph.Inputs[i];
            string what = $"d(Σ target)/d{input.Name}";
            if (!reachable.Contains(input))
            {
                if (result.Gradients[i] is not null)
                {
                    throw new GraphCheckException($"{what}: the target does not depend on {input.Name}, but the gradient is not null.");
                }

                continue;
            }

            var library = result.Gradients[i]
                ?? throw new GraphCheckException($"{what}: the target depends on {input.Name}, but the gradient is null.");
            var expected = Differences(interpreter, x, i, 0);
            var realised = Enumerable.Range(1, Realizations).Select(r => Differences(interpreter, x, i, r)).ToArray();
            var noise = x[i].Select(v => 4 * Epsilon * magnitude / (2e-6 * Math.Max(1, Math.Abs(v)))).ToArray();
            worst.Compare(what, input.Shape, library, expected, Spread(expected, realised), noise);
        }

        worst.ThrowIfFailed();
        return worst.Ratio;
    }

    /// <summary>Central differences of Σ target with respect to every element of input <paramref name="input"/>.</summary>
    private static double[] Differences(GraphInterpreter interpreter, double[][] x, int input, int realization)
    {
        var gradient = new double[x[input].Length];
        for (int j = 0; j < gradient.Length; j++)
        {
            double xj = x[input][j];
            double h = 1e-6 * Math.Max(1, Math.Abs(xj));
            double plus = xj + h, minus = xj - h;
            x[input][j] = plus;
            double up = interpreter.TargetSum(x, realization);
            x[input][j] = minus;
            double down = interpreter.TargetSum(x, realization);
            x[input][j] = xj;
            gradient[j] = (up - down) / (plus - minus);
        }

        return gradient;
    }

    private static double[] Spread(double[] exact, double[][] realised) =>
        [.. exact.Select((e, j) => realised.Max(r => Math.Abs(r[j] - e)))];

    private static HashSet<GraphNode> Reachable(GraphNode target)
    {
        var seen = new HashSet<GraphNode>();
        var stack = new Stack<GraphNode>([target]);
        while (stack.TryPop(out var node))
        {
            if (seen.Add(node))
            {
                foreach (var arg in node.Args)
                {
                    stack.Push(arg);
                }
            }
        }

        return seen;
    }

    /// <summary>Tracks the element furthest outside its tolerance over a whole case, to report it.</summary>
    private sealed class Worst
    {
        private readonly List<string> _outside = [];
        private double _ratio;
        private string _report = "";

        public double Ratio => _ratio;

        public void Compare(string what, int[] shape, float[] actual, double[] expected, double[] spread, double[]? fd)
        {
            if (actual.Length != expected.Length)
            {
                throw new GraphCheckException($"{what}: {actual.Length} elements, expected {expected.Length}.");
            }

            double floor = 0.5 * spread.DefaultIfEmpty(0).Max();
            int outside = 0;
            for (int j = 0; j < actual.Length; j++)
            {
                double tolerance = (10 * spread[j]) + floor + (8 * Tolerance.U * Math.Abs(expected[j])) + (fd?[j] ?? 0);
                double error = Math.Abs(actual[j] - expected[j]);
                double ratio = double.IsNaN(error) ? double.PositiveInfinity : error / tolerance;
                outside += ratio <= 1 ? 0 : 1;
                if (ratio > _ratio)
                {
                    _ratio = ratio;
                    _report = string.Create(CultureInfo.InvariantCulture,
                        $"{what} at {Index(shape, j)}: library {actual[j]:G9}, expected {expected[j]:G12} (error {error:G3}, tolerance {tolerance:G3})");
                }
            }

            if (outside > 0)
            {
                _outside.Add($"{outside} of {actual.Length} of {what}");
            }
        }

        public void ThrowIfFailed()
        {
            if (_ratio > 1)
            {
                throw new GraphCheckException($"worst element: {_report}; outside their tolerance: {string.Join(", ", _outside)}");
            }
        }

        private static string Index(int[] shape, int flat) => shape.Length switch
        {
            0 => "[]",
            1 => $"[{flat}]",
            _ => $"[{flat / shape[1]}, {flat % shape[1]}]",
        };
    }
}
