namespace GradientDescent;

/// <summary>
/// Computes the gradients of an operation's inputs from the gradient of its output.
/// </summary>
/// <param name="outputGradient">Shaped like the output.</param>
/// <param name="needed">One flag per input: whether its gradient is wanted.</param>
/// <returns>One gradient per input (null where not needed), each shaped like its input and owned by the caller.</returns>
internal delegate Tensor?[] BackwardRule(Tensor outputGradient, bool[] needed);

/// <summary>An operation as a recorder keeps it: what it read, what it made, and how to run it backwards.</summary>
/// <param name="Name">The operation, as messages name it.</param>
/// <param name="Output">Its result.</param>
/// <param name="Inputs">Its tensor inputs, in the rule's order.</param>
/// <param name="Saved">The tensors its backward rule reads, with their versions when recorded.</param>
/// <param name="Backward">The rule.</param>
internal sealed record RecordedOp(string Name, Tensor Output, Tensor[] Inputs, SavedTensor[] Saved, BackwardRule Backward);

/// <summary>A tensor a backward rule reads, and its buffer's version when the operation ran.</summary>
/// <param name="Role">What it is to the operation (<c>a</c>, <c>result</c>), for messages.</param>
/// <param name="Tensor">The tensor.</param>
/// <param name="Version">Its version then; an in-place write since makes the rule's result wrong.</param>
internal readonly record struct SavedTensor(string Role, Tensor Tensor, int Version)
{
    internal static SavedTensor Of(string role, Tensor tensor) => new(role, tensor, tensor.Version);
}

/// <summary>
/// What the operations see of automatic differentiation: something that records operations on the
/// tensors it watches. <see cref="GradientTape"/> implements it; the operations never name the tape.
/// </summary>
internal interface IOpRecorder
{
    /// <summary>Whether this recorder still records (not disposed, and not a finished one-shot tape).</summary>
    bool IsRecording { get; }

    /// <summary>Whether gradients with respect to <paramref name="tensor"/> are tracked: watched, trainable, or a recorded result.</summary>
    bool Watches(Tensor tensor);

    /// <summary>Keeps <paramref name="op"/> for the backward pass.</summary>
    void Record(RecordedOp op);
}

/// <summary>Something that frees the tensors given to it when it is disposed: a tape, or a scope.</summary>
internal interface ITensorOwner
{
    /// <summary>Whether it still takes new tensors.</summary>
    bool IsOwning { get; }

    /// <summary>Takes <paramref name="tensor"/>; it is freed with this owner.</summary>
    void Own(Tensor tensor);
}
