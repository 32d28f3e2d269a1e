namespace GradientDescent;

/// <summary>
/// The contents of one IDX file: its dimensions and its unsigned-byte payload in row-major order.
/// </summary>
/// <remarks>
/// An MNIST images file has dimensions (count, rows, cols) and a labels file has (count).
/// </remarks>
public sealed class IdxData
{
    /// <summary>Wraps a payload and its dimensions.</summary>
    /// <param name="path">The file the data came from (or a descriptive name).</param>
    /// <param name="dimensions">The dimensions, outermost first; copied.</param>
    /// <param name="data">The payload, row-major; not copied: the instance takes ownership.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="dimensions"/> is empty or has a dimension that is not positive, or its product
    /// differs from the length of <paramref name="data"/>.
    /// </exception>
    public IdxData(string path, IReadOnlyList<int> dimensions, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        var dims = dimensions.ToArray();
        if (dims.Length == 0)
            throw new ArgumentException($"{path}: an IDX array needs at least one dimension.", nameof(dimensions));

        // Longs cannot overflow here: every factor is below 2^31 and the product stops growing at 2^31.
        long product = 1;
        foreach (int dim in dims)
        {
            if (dim <= 0)
                throw new ArgumentException($"{path}: dimensions [{string.Join(", ", dims)}] must all be positive.", nameof(dimensions));
            product = Math.Min(product * dim, 1L << 31);
        }

        if (product != data.Length)
        {
            throw new ArgumentException(
                $"{path}: dimensions [{string.Join(", ", dims)}] describe {product} bytes but the payload holds {data.Length}.",
                nameof(data));
        }

        Path = path;
        Dimensions = Array.AsReadOnly(dims);
        Data = data;
    }

    /// <summary>The file the data came from, as given to the reader.</summary>
    public string Path { get; }

    /// <summary>The dimensions, outermost first, for example (10000, 28, 28) for MNIST images.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The payload in row-major order; its length is the product of <see cref="Dimensions"/>.</summary>
    public byte[] Data { get; }
}
