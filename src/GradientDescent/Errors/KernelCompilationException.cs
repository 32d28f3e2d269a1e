namespace GradientDescent;

/// <summary>
/// Thrown when a kernel does not compile for a device (an intrinsic the backend lacks, a capability the
/// device does not have): names the kernel and the device. The device stays usable for other kernels.
/// </summary>
public sealed class KernelCompilationException : InvalidOperationException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public KernelCompilationException()
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">The complete message.</param>
    public KernelCompilationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the compiler's error.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The compiler's error.</param>
    public KernelCompilationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
