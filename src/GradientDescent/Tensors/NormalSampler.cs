namespace GradientDescent;

/// <summary>
/// Standard normal samples from SplitMix64 and Box–Muller: tiny, fast, and the same sequence on every
/// platform and runtime version, which <see cref="Random"/> does not promise.
/// </summary>
internal struct NormalSampler(ulong seed)
{
    private ulong _state = seed;
    private double _spare = double.NaN;

    internal double Next()
    {
        if (!double.IsNaN(_spare))
        {
            var value = _spare;
            _spare = double.NaN;
            return value;
        }

        // 1 - u keeps the logarithm's argument in (0, 1].
        double u1 = 1.0 - NextUnit();
        double u2 = NextUnit();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spare = radius * Math.Sin(angle);
        return radius * Math.Cos(angle);
    }

    internal ulong NextBits()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    private double NextUnit() => (NextBits() >> 11) * (1.0 / (1UL << 53));
}
