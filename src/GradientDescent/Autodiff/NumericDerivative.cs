using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Evaluates a float32 scalar function with one source element moved, for finite differences, and measures
/// the function's rounding noise. Every change to a source is undone exactly, by writing the saved values back.
/// </summary>
/// <remarks>
/// The library computes in float32 only, so the differences are taken in float64 from float32 values, and each
/// quotient divides by the step actually represented in float32, not the nominal one.
/// </remarks>
internal sealed class NumericDerivative(Func<Tensor> function, IReadOnlyList<Tensor> sources, float[][] values)
{
    /// <summary>The unit roundoff of float32, 2⁻²⁴.</summary>
    internal const double Unit = 1.0 / (1 << 24);

    private const int Probes = 8;

    private const float ProbeSize = 1f / (1 << 14);

    /// <summary>f at the current values of the sources; every tensor an operation returns inside is freed.</summary>
    internal double Evaluate()
    {
        using var scope = TensorScope.Isolated();
        return function().Item();
    }

    /// <summary>
    /// σ, the standard deviation of f's rounding error near the current point. Every element of every source is
    /// moved by ±2⁻¹⁴ of its magnitude (random signs, a direction d), and f is evaluated at x + d and x − d: their
    /// mean is f(x) to second order in d (below rounding), but every operation rounds afresh, so the spread of
    /// the means over several directions is the noise of one evaluation. At least half an ulp of f.
    /// </summary>
    /// <remarks>
    /// Moving the elements by one ulp would not do: an intermediate such as log(1 + t) keeps its rounding when
    /// its inputs barely move, and the noise a finite-difference step meets would be underestimated.
    /// </remarks>
    internal double MeasureNoise(double f0, ulong seed)
    {
        var sampler = new NormalSampler(seed ^ 0x9E3779B97F4A7C15UL);
        var means = new double[Probes];
        try
        {
            for (int probe = 0; probe < Probes; probe++)
            {
                var signs = new float[sources.Count][];
                for (int s = 0; s < sources.Count; s++)
                {
                    signs[s] = new float[values[s].Length];
                    for (int i = 0; i < signs[s].Length; i++)
                    {
                        signs[s][i] = (sampler.NextBits() & 1) == 0 ? 1f : -1f;
                    }
                }

                means[probe] = (Moved(signs, 1) + Moved(signs, -1)) / 2;
            }
        }
        finally
        {
            for (int s = 0; s < sources.Count; s++)
            {
                Write(sources[s], values[s]);
            }
        }

        double average = means.Average();
        double variance = means.Sum(m => (m - average) * (m - average)) / (Probes - 1);
        // The mean of two evaluations carries half the variance of one.
        return Math.Max(Math.Sqrt(2 * variance), Unit * Math.Abs(f0));
    }

    /// <summary>f with element <paramref name="index"/> of source <paramref name="source"/> at x + h and at x − h, and the steps taken.</summary>
    internal (double Plus, double Minus, double Up, double Down) Pair(int source, int index, double h)
    {
        var tensor = sources[source];
        float x = values[source][index];
        float up = (float)(x + h);
        float down = (float)(x - h);
        try
        {
            Set(tensor, index, up);
            double plus = Evaluate();
            Set(tensor, index, down);
            double minus = Evaluate();
            return (plus, minus, (double)up - x, (double)x - down);
        }
        finally
        {
            Set(tensor, index, x);
        }
    }

    /// <summary>f with every element moved by sign·2⁻¹⁴·max(|x|, the source's RMS) in the given direction.</summary>
    private double Moved(float[][] signs, int direction)
    {
        for (int s = 0; s < sources.Count; s++)
        {
            var x = values[s];
            double rms = Math.Sqrt(x.Sum(v => (double)v * v) / x.Length);
            float floor = rms > 0 ? (float)rms : 1f;
            var moved = new float[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                moved[i] = x[i] + (direction * signs[s][i] * ProbeSize * Math.Max(Math.Abs(x[i]), floor));
            }

            Write(sources[s], moved);
        }

        return Evaluate();
    }

    private static void Set(Tensor tensor, int index, float value) =>
        ElementwiseKernels.Fill(Tensor.ViewOf(tensor, index, [1]), value);

    private static void Write(Tensor tensor, float[] data)
    {
        using var scope = tensor.Device.Lock();
        tensor.View.CopyFromCPU(data);
    }
}
