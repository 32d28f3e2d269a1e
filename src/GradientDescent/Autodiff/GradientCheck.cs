namespace GradientDescent;

/// <summary>
/// Compares a tape's gradients of a scalar function with central finite differences
/// <c>(f(x + ε) − f(x − ε)) / 2ε</c>, element by element, the way this library's own tests check it.
/// </summary>
public static class GradientCheck
{
    /// <summary>
    /// Checks <paramref name="function"/>'s gradient with respect to each source at up to
    /// <paramref name="maxElementsPerSource"/> elements (all of them when the source is small enough,
    /// otherwise a seeded sample).
    /// </summary>
    /// <param name="function">Computes a scalar from the sources with <see cref="Ops"/>; called 1 + 2·(elements checked) times.</param>
    /// <param name="sources">The tensors to perturb; each is restored exactly afterwards.</param>
    /// <param name="epsilon">The finite-difference step. In float32, 1e-2 to 1e-3 balances truncation and rounding error.</param>
    /// <param name="maxElementsPerSource">How many elements of each source to check at most.</param>
    /// <param name="minimumScale">The denominator's floor in the relative error, so near-zero gradients are compared absolutely.</param>
    /// <param name="seed">Chooses the sampled elements.</param>
    /// <returns>The worst error per source.</returns>
    /// <remarks>
    /// Relative error is <c>|analytic − numeric| / max(|analytic|, |numeric|, minimumScale)</c>. Every tensor
    /// an operation returns inside <paramref name="function"/> is freed after each evaluation (tensors it
    /// creates by other means, such as <see cref="Tensor.Clone"/> or the factories, are its own to free).
    /// </remarks>
    /// <exception cref="ArgumentException">No sources, the function's result is not a single element, or <paramref name="epsilon"/> is not positive.</exception>
    public static GradientCheckResult Run(
        Func<Tensor> function,
        IReadOnlyList<Tensor> sources,
        float epsilon = 1e-2f,
        int maxElementsPerSource = 32,
        double minimumScale = 1e-3,
        ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            throw new ArgumentException("GradientCheck needs at least one source.", nameof(sources));
        }

        if (!float.IsFinite(epsilon) || epsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxElementsPerSource, 1);
        var analytic = AnalyticGradients(function, sources);
        var reports = new SourceReport[sources.Count];
        var sampler = new NormalSampler(seed);
        for (int s = 0; s < sources.Count; s++)
        {
            var source = sources[s];
            var values = source.ToArray();
            var indices = ChooseIndices(values.Length, maxElementsPerSource, ref sampler);
            var report = new SourceReport(s, 0, 0, -1, 0, 0, indices.Length);
            foreach (int i in indices)
            {
                double numeric = Numeric(function, source, values, i, epsilon);
                double exact = analytic[s]?[i] ?? 0;
                double absolute = Math.Abs(exact - numeric);
                double relative = absolute / Math.Max(Math.Max(Math.Abs(exact), Math.Abs(numeric)), minimumScale);
                if (relative > report.MaxRelativeError || double.IsNaN(relative) || report.WorstElement < 0)
                {
                    report = report with { MaxRelativeError = relative, WorstElement = i, Analytic = exact, Numeric = numeric };
                }

                report = report with { MaxAbsoluteError = Math.Max(report.MaxAbsoluteError, absolute) };
            }

            reports[s] = report;
        }

        return new GradientCheckResult(reports);
    }

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

    private static double Numeric(Func<Tensor> function, Tensor source, float[] values, int index, float epsilon)
    {
        float original = values[index];
        try
        {
            Set(source, index, original + epsilon);
            double plus = Evaluate(function);
            Set(source, index, original - epsilon);
            double minus = Evaluate(function);
            // Divide by the step actually taken in float32, not the nominal 2ε.
            double step = (double)(original + epsilon) - (double)(original - epsilon);
            return (plus - minus) / step;
        }
        finally
        {
            Set(source, index, original);
        }
    }

    private static double Evaluate(Func<Tensor> function)
    {
        using var scope = TensorScope.Isolated();
        return function().Item();
    }

    private static void Set(Tensor tensor, int index, float value) =>
        ElementwiseKernels.Fill(Tensor.ViewOf(tensor, index, [1]), value);

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

/// <summary>The outcome of <see cref="GradientCheck.Run"/>: one report per source.</summary>
/// <param name="Sources">The reports, in the order of the sources.</param>
public sealed record GradientCheckResult(IReadOnlyList<SourceReport> Sources)
{
    /// <summary>The largest relative error over all sources.</summary>
    public double MaxRelativeError => Sources.Max(s => s.MaxRelativeError);

    /// <summary>One line per source, for test failure messages.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => string.Join(Environment.NewLine, Sources);
}

/// <summary>The worst disagreement between tape and finite differences for one source.</summary>
/// <param name="Source">The source's index.</param>
/// <param name="MaxAbsoluteError">The largest <c>|analytic − numeric|</c>.</param>
/// <param name="MaxRelativeError">The largest relative error (see <see cref="GradientCheck.Run"/>).</param>
/// <param name="WorstElement">The flat index where the relative error was largest.</param>
/// <param name="Analytic">The tape's gradient there.</param>
/// <param name="Numeric">The finite difference there.</param>
/// <param name="ElementsChecked">How many elements were compared.</param>
public sealed record SourceReport(
    int Source, double MaxAbsoluteError, double MaxRelativeError, int WorstElement, double Analytic, double Numeric, int ElementsChecked);
