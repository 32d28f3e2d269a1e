namespace GradientDescent;

/// <summary>
/// Thrown when a data or model file is malformed: a wrong magic number, an unsupported version or
/// element type, impossible dimensions, a truncated payload, trailing bytes or a failed checksum.
/// </summary>
/// <remarks>
/// The message always starts with the file's path (or the name given for a stream) followed by what
/// was expected and what was found, so a log line alone is enough to find and judge the bad file.
/// </remarks>
public sealed class InvalidDataFormatException : FormatException
{
    /// <summary>Creates an exception with a generic message and no file.</summary>
    public InvalidDataFormatException()
    {
    }

    /// <summary>Creates an exception with the given message and no file.</summary>
    /// <param name="message">The complete message.</param>
    public InvalidDataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause, and no file.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The error that revealed the problem.</param>
    public InvalidDataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for <paramref name="filePath"/>; the message is "path: problem".</summary>
    /// <param name="filePath">The file's path, or the name given for a stream.</param>
    /// <param name="problem">What is wrong, naming the expected and the actual values.</param>
    public InvalidDataFormatException(string filePath, string problem)
        : base($"{filePath}: {problem}")
    {
        FilePath = filePath;
    }

    /// <summary>Creates an exception for <paramref name="filePath"/> with the error that revealed the problem.</summary>
    /// <param name="filePath">The file's path, or the name given for a stream.</param>
    /// <param name="problem">What is wrong, naming the expected and the actual values.</param>
    /// <param name="innerException">The error that revealed the problem, for example a corrupt gzip stream.</param>
    public InvalidDataFormatException(string filePath, string problem, Exception innerException)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The path of the malformed file (or the name given for a stream); null when none was given.</summary>
    public string? FilePath { get; }
}
