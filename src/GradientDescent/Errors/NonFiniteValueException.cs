using System.Globalization;

namespace GradientDescent;

/// <summary>
/// Thrown, when <see cref="ComputeDevice.CheckNumerics"/> is on, by the first operation whose result
/// holds a NaN or an infinity: names the operation, which of its tensors, the shape, and the first bad
/// element with its index, like TensorFlow's <c>tf.debugging.check_numerics</c>.
/// </summary>
/// <remarks>
/// With checking on, every earlier result was finite, so the operation named is where the values
/// first went bad (an overflowing exponent, a division by zero, a learning rate that diverged).
/// </remarks>
public sealed class NonFiniteValueException : ArithmeticException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public NonFiniteValueException()
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">The complete message.</param>
    public NonFiniteValueException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The error that revealed the problem.</param>
    public NonFiniteValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception describing the first non-finite element of a result.</summary>
    /// <param name="operation">The operation, for example <c>MatMul</c> or <c>MatMul backward</c>.</param>
    /// <param name="tensor">Which of its tensors, for example <c>result</c> or <c>gradient of b</c>.</param>
    /// <param name="shape">The tensor's shape.</param>
    /// <param name="index">The first non-finite element's index, one entry per dimension.</param>
    /// <param name="value">That element: NaN, +∞ or −∞.</param>
    /// <param name="count">How many elements are not finite.</param>
    public NonFiniteValueException(string operation, string tensor, IReadOnlyList<int> shape, IReadOnlyList<int> index, float value, int count)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{operation} produced {Describe(value)} in its {tensor} of shape {ShapeMath.Format(shape)}: "
            + $"first at index [{string.Join(", ", index)}], {count} non-finite element{(count == 1 ? string.Empty : "s")} in all."))
    {
        Operation = operation;
        TensorRole = tensor;
        Shape = [.. shape];
        Index = [.. index];
        Value = value;
        Count = count;
    }

    /// <summary>The operation that produced the value; null when built from a message only.</summary>
    public string? Operation { get; }

    /// <summary>Which of the operation's tensors holds it (<c>result</c>, <c>gradient of input 1 of 2</c>, …).</summary>
    public string? TensorRole { get; }

    /// <summary>The shape of that tensor.</summary>
    public IReadOnlyList<int> Shape { get; } = [];

    /// <summary>The index of the first non-finite element, one entry per dimension.</summary>
    public IReadOnlyList<int> Index { get; } = [];

    /// <summary>The first non-finite element.</summary>
    public float Value { get; }

    /// <summary>How many elements of the tensor are not finite.</summary>
    public int Count { get; }

    private static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+∞" : "−∞";
}
