namespace GradientDescent.Tests;

/// <summary>
/// Seeded random test inputs. They are drawn as float32, the values the kernels see; widening them to
/// float64 for the reference is exact, so the reference and the kernel start from identical inputs.
/// </summary>
public static class RandomArrays
{
    /// <summary>n samples of N(0, std²), rounded to float32 (Box–Muller).</summary>
    public static float[] Normal(Random random, int n, double std = 1)
    {
        ArgumentNullException.ThrowIfNull(random);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - random.NextDouble();
            double u2 = random.NextDouble();
            x[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return x;
    }

    /// <summary>n samples of U[low, high), rounded to float32.</summary>
    public static float[] Uniform(Random random, int n, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(random);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(low + ((high - low) * random.NextDouble()));
        }

        return x;
    }

    /// <summary>n values with |v| in [min, max) and a random sign: ReLU inputs kept away from the kink at 0.</summary>
    public static float[] AwayFromZero(Random random, int n, double min = 0.1, double max = 1.1)
    {
        var x = Uniform(random, n, min, max);
        for (int i = 0; i < n; i++)
        {
            if (random.Next(2) == 0)
            {
                x[i] = -x[i];
            }
        }

        return x;
    }

    /// <summary>n labels drawn uniformly from <c>0..classes−1</c>.</summary>
    public static int[] Labels(Random random, int n, int classes)
    {
        ArgumentNullException.ThrowIfNull(random);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.Next(classes);
        }

        return labels;
    }

    /// <summary>(rows, cols) rows of random positive weights, each row normalised to sum to 1 (soft targets).</summary>
    public static float[] Distributions(Random random, int rows, int cols)
    {
        var t = Uniform(random, rows * cols, 0.05, 1);
        for (int r = 0; r < rows; r++)
        {
            var row = t.AsSpan(r * cols, cols);
            float sum = 0;
            foreach (var v in row)
            {
                sum += v;
            }

            for (int j = 0; j < cols; j++)
            {
                row[j] /= sum;
            }
        }

        return t;
    }

    /// <summary>The same values widened to float64 (exact).</summary>
    public static double[] ToDouble(this float[] x) => [.. x.Select(v => (double)v)];
}
