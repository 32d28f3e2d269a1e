namespace GradientDescent;

/// <summary>
/// Checks a tape's gradients of a scalar function against central finite differences, element by element,
/// and gives a verdict in the terms of PyTorch's <c>gradcheck</c>: an element passes when
/// <c>|analytic − numeric| ≤ atol + rtol·|numeric|</c>.
/// </summary>
/// <remarks>
/// <para>
/// Built for float32: each element's step is h = Step·max(|x|, 1); the function's rounding noise σ is measured
/// at the checked point, and the default atol is 10σ/h, the resolution of a difference quotient of a function
/// known to ±σ. Where the one-sided differences <c>(f(x + h) − f(x)) / h</c> and <c>(f(x) − f(x − h)) / h</c>
/// disagree beyond rounding and beyond the tolerance, or the central differences at h and h/2 do, at h and
/// again at h/4, the function has a kink there (a ReLU input within reach of 0): the point is reported as
/// non-differentiable, not compared and not failed.
/// </para>
/// <para>
/// In a unit test, <c>GradientCheck.Assert(() =&gt; loss(), parameters)</c> throws a
/// <see cref="GradientCheckException"/> whose message lists the worst elements, whatever the test framework.
/// </para>
/// </remarks>
public static partial class GradientCheck
{
    /// <summary>
    /// Checks <paramref name="function"/>'s gradient with respect to each source at up to
    /// <see cref="GradientCheckOptions.MaxElementsPerSource"/> elements of each.
    /// </summary>
    /// <param name="function">Computes a scalar (one element) from the sources with <see cref="Ops"/>; called 4·(elements checked) + 18 times, and 4 more for each point retried at a quarter of the step.</param>
    /// <param name="sources">The tensors to differentiate with respect to; each is restored exactly afterwards.</param>
    /// <param name="options">Tolerances, step and sampling; null for <see cref="GradientCheckOptions.Default"/>.</param>
    /// <returns>The verdict, every element checked, and a report.</returns>
    /// <remarks>
    /// Every tensor an operation returns inside <paramref name="function"/> is freed after each evaluation
    /// (tensors it creates by other means, such as the factories, are its own to free). Nothing is recorded on
    /// tapes active around the check.
    /// </remarks>
    /// <exception cref="ArgumentException">No sources, or the function's result is not a single element.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static GradientCheckResult Run(Func<Tensor> function, IReadOnlyList<Tensor> sources, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            throw new ArgumentException("GradientCheck needs at least one source.", nameof(sources));
        }

        for (int s = 0; s < sources.Count; s++)
        {
            TensorChecks.Live(nameof(GradientCheck), sources[s], $"sources[{s}]");
        }

        options ??= GradientCheckOptions.Default;
        options.Validate();
        var analytic = AnalyticGradients(function, sources);
        float[][] values = [.. sources.Select(s => s.ToArray())];
        var numeric = new NumericDerivative(function, sources, values);
        double f0 = numeric.Evaluate();
        var sampler = new NormalSampler(options.Seed);
        int[][] chosen = [.. values.Select(v => ChooseIndices(v.Length, options.MaxElementsPerSource, ref sampler))];
        var first = new List<Measurement>();
        for (int s = 0; s < sources.Count; s++)
        {
            foreach (int i in chosen[s])
            {
                first.Add(Measure(numeric, s, i, options.Step * Math.Max(Math.Abs(values[s][i]), 1)));
            }
        }

        double noise = Math.Max(numeric.MeasureNoise(f0, options.Seed), PooledNoise(first, f0));
        var reports = new SourceReport[sources.Count];
        int next = 0;
        for (int s = 0; s < sources.Count; s++)
        {
            var elements = new List<GradientCheckElement>();
            foreach (int i in chosen[s])
            {
                var element = Judge(first[next++], options, f0, noise, sources[s].Shape, analytic[s]?[i] ?? 0);
                if (element.Outcome == GradientCheckOutcome.NonDifferentiable)
                {
                    // A kink within the step; one nearer than a quarter of it still shows at the smaller step.
                    element = Judge(Measure(numeric, s, i, first[next - 1].Step / 4), options, f0, noise, sources[s].Shape, analytic[s]?[i] ?? 0);
                }

                elements.Add(element);
            }

            reports[s] = new SourceReport(s, [.. sources[s].Shape], elements);
        }

        return new GradientCheckResult(reports, options, f0, noise);
    }

    /// <summary>
    /// Runs the check and throws unless it passed: one line in a unit test of any framework.
    /// </summary>
    /// <param name="function">Computes a scalar from the sources; see <see cref="Run"/>.</param>
    /// <param name="sources">The tensors to differentiate with respect to.</param>
    /// <param name="options">Tolerances, step and sampling; null for the defaults.</param>
    /// <returns>The result, which passed.</returns>
    /// <exception cref="GradientCheckException">The check failed; the message is its report.</exception>
    /// <exception cref="ArgumentException">No sources, or the function's result is not a single element.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static GradientCheckResult Assert(Func<Tensor> function, IReadOnlyList<Tensor> sources, GradientCheckOptions? options = null) =>
        Run(function, sources, options).ThrowIfFailed();

    private static float[]?[] AnalyticGradients(Func<Tensor> function, IReadOnlyList<Tensor> sources)
    {
        using var scope = TensorScope.Isolated();
        using var tape = new GradientTape();
        foreach (var source in sources)
        {
            tape.Watch(source);
        }

        var value = function();
        if (value.Length != 1)
        {
            throw new ArgumentException($"GradientCheck needs a scalar function, but it returned shape {value.ShapeText}.", nameof(function));
        }

        return [.. tape.Gradient(value, [.. sources]).Select(g => g?.ToArray())];
    }

    private static int[] ChooseIndices(int length, int count, ref NormalSampler sampler)
    {
        if (length <= count)
        {
            return [.. Enumerable.Range(0, length)];
        }

        var chosen = new SortedSet<int>();
        while (chosen.Count < count)
        {
            chosen.Add((int)(sampler.NextBits() % (ulong)length));
        }

        return [.. chosen];
    }
}
