namespace GradientDescent;

/// <summary>
/// A named float32 array with its shape, as stored in a model file: for example
/// ("w1", [784, 128], 100352 floats in row-major order).
/// </summary>
/// <remarks>
/// The arrays are held by reference, not copied, and the record's equality compares them by
/// reference, as records do. A shape of length 0 is a scalar holding one element.
/// </remarks>
/// <param name="Name">The array's name, unique within a model file.</param>
/// <param name="Shape">The dimensions, outermost first; each at least 0.</param>
/// <param name="Data">The elements in row-major order; the length is the product of <paramref name="Shape"/>.</param>
/// <exception cref="ArgumentNullException">An argument is null.</exception>
/// <exception cref="ArgumentException">
/// <paramref name="Name"/> is empty, a dimension is negative, or the length of <paramref name="Data"/>
/// differs from the product of <paramref name="Shape"/>.
/// </exception>
public sealed record NamedArray(string Name, int[] Shape, float[] Data)
{
    /// <summary>The array's name, unique within a model file.</summary>
    public string Name { get; } = CheckName(Name);

    /// <summary>The dimensions, outermost first.</summary>
    public int[] Shape { get; } = CheckShape(Name, Shape, Data);

    /// <summary>The elements in row-major order.</summary>
    public float[] Data { get; } = Data;

    /// <summary>
    /// The number of elements the shape describes, saturated at 2^31 so that it never overflows;
    /// anything at or above 2^31 cannot be the length of a float array anyway.
    /// </summary>
    internal static long ElementCount(ReadOnlySpan<int> shape)
    {
        // Each factor is below 2^31 and the running product is capped at 2^31, so it fits a long;
        // a later zero still brings a capped product back to the true value, 0.
        long count = 1;
        foreach (int dim in shape)
            count = Math.Min(count * dim, 1L << 31);
        return count;
    }

    /// <summary>Checks that the shape has no negative dimension and matches the data's length.</summary>
    /// <exception cref="ArgumentException">It does not.</exception>
    internal static void CheckConsistent(string name, int[] shape, float[] data, string paramName)
    {
        foreach (int dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"Array '{name}': shape [{string.Join(", ", shape)}] has a negative dimension.", paramName);
        }

        long count = ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Array '{name}': shape [{string.Join(", ", shape)}] holds {count} elements but Data has {data.Length}.",
                paramName);
        }
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name;
    }

    private static int[] CheckShape(string name, int[] shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        CheckConsistent(name, shape, data, nameof(Data));
        return shape;
    }
}
