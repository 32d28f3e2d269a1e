using System.Globalization;

namespace GradientDescent;

/// <summary>Shape arithmetic and the messages that name shapes; shared by tensors and operations.</summary>
internal static class ShapeMath
{
    internal static int Product(ReadOnlySpan<int> shape)
    {
        long product = 1;
        foreach (var d in shape)
        {
            product *= d;
        }

        return (int)product;
    }

    /// <summary>Every extent at least 1, and at most int.MaxValue elements in all.</summary>
    internal static void Validate(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long product = 1;
        foreach (var d in shape)
        {
            if (d < 1)
            {
                throw new ArgumentException(
                    $"Shape {Format(shape)} has an extent of {d}: every extent must be at least 1 (empty tensors are not supported).",
                    nameof(shape));
            }

            product *= d;
            if (product > int.MaxValue)
            {
                throw new ArgumentException($"Shape {Format(shape)} has more than {int.MaxValue} elements.", nameof(shape));
            }
        }
    }

    internal static int[] ResolveReshape(int[] from, int[] to)
    {
        ArgumentNullException.ThrowIfNull(to);
        int length = Product(from);
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < to.Length; i++)
        {
            if (to[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new ArgumentException($"Cannot reshape {Format(from)} to {Format(to)}: only one extent may be -1.", nameof(to));
                }

                inferred = i;
            }
            else if (to[i] < 1)
            {
                throw new ArgumentException($"Cannot reshape {Format(from)} to {Format(to)}: extent {to[i]} is not positive (or -1).", nameof(to));
            }
            else
            {
                known *= to[i];
            }
        }

        var result = (int[])to.Clone();
        if (inferred >= 0)
        {
            if (length % known != 0)
            {
                throw new ArgumentException(
                    $"Cannot reshape {Format(from)} ({length} elements) to {Format(to)}: {length} is not divisible by {known}.", nameof(to));
            }

            result[inferred] = (int)(length / known);
        }
        else if (known != length)
        {
            throw new ArgumentException(
                $"Cannot reshape {Format(from)} ({length} elements) to {Format(to)} ({known} elements).", nameof(to));
        }

        return result;
    }

    internal static string Format(IReadOnlyList<int> shape) => shape.Count switch
    {
        0 => "()",
        1 => string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)"),
        _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
    };
}
