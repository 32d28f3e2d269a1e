namespace GradientDescent;

/// <summary>
/// Thrown when a <see cref="CustomOp"/> breaks the contract of its definition: it has no forward, its
/// backward rule returns the wrong number of gradients or one of the wrong shape or device, or its forward
/// asks for host memory on a GPU. The message names the operation.
/// </summary>
public sealed class CustomOpException : InvalidOperationException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public CustomOpException()
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">The complete message.</param>
    public CustomOpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The error behind it.</param>
    public CustomOpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about the operation <paramref name="operation"/>.</summary>
    /// <param name="operation">The operation's name.</param>
    /// <param name="message">The complete message, which names the operation.</param>
    public CustomOpException(string operation, string message)
        : base(message) => Operation = operation;

    /// <summary>The operation whose definition is at fault; null when built from a message only.</summary>
    public string? Operation { get; }
}
