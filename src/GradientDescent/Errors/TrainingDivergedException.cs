namespace GradientDescent;

/// <summary>
/// Thrown by <see cref="Trainer.Fit"/> when a step's loss is NaN or infinite: names the epoch, the first such
/// step, the loss and the learning rate, and carries the epochs completed before it.
/// </summary>
/// <remarks>
/// The parameters are then unusable (a non-finite loss means non-finite gradients); a smaller learning rate,
/// or <see cref="ComputeDevice.CheckNumerics"/> to find the first operation that went wrong, are the usual next steps.
/// </remarks>
public sealed class TrainingDivergedException : ArithmeticException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public TrainingDivergedException()
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">The complete message.</param>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The cause.</param>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception describing the first non-finite loss.</summary>
    /// <param name="epoch">The epoch, counting from 1.</param>
    /// <param name="step">The first step whose loss was not finite, counting from 1.</param>
    /// <param name="steps">Steps per epoch.</param>
    /// <param name="loss">That loss: NaN, +∞ or −∞.</param>
    /// <param name="learningRate">The learning rate of the epoch.</param>
    /// <param name="completed">The epochs completed before this one.</param>
    public TrainingDivergedException(int epoch, int step, int steps, float loss, float learningRate, IReadOnlyList<EpochResult> completed)
        : base(FormattableString.Invariant(
            $"Training diverged: the loss of step {step} of {steps} in epoch {epoch} is {loss} (learning rate {learningRate}). Try a smaller learning rate; ComputeDevice.CheckNumerics finds the first operation that produced a NaN or an infinity."))
    {
        ArgumentNullException.ThrowIfNull(completed);
        Epoch = epoch;
        Step = step;
        Loss = loss;
        Completed = completed;
    }

    /// <summary>The epoch in which the loss went non-finite, counting from 1.</summary>
    public int Epoch { get; }

    /// <summary>The first step of that epoch whose loss was not finite, counting from 1.</summary>
    public int Step { get; }

    /// <summary>That loss.</summary>
    public float Loss { get; }

    /// <summary>The epochs completed before it.</summary>
    public IReadOnlyList<EpochResult> Completed { get; } = [];
}
