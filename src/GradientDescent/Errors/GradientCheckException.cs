namespace GradientDescent;

/// <summary>
/// Thrown by <see cref="GradientCheckResult.ThrowIfFailed"/> and <see cref="GradientCheck.Assert"/> when a
/// gradient check fails: the message is the check's report (the worst elements with their source, index,
/// analytic and numeric values), so a unit test fails with it whatever its framework.
/// </summary>
public sealed class GradientCheckException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public GradientCheckException()
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">The complete message.</param>
    public GradientCheckException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The error behind it.</param>
    public GradientCheckException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a failed check; the message is its report.</summary>
    /// <param name="result">The failed check.</param>
    public GradientCheckException(GradientCheckResult result)
        : base((result ?? throw new ArgumentNullException(nameof(result))).Report) => Result = result;

    /// <summary>The failed check; null when built from a message only.</summary>
    public GradientCheckResult? Result { get; }
}
