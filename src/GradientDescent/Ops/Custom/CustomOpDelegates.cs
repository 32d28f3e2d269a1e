namespace GradientDescent;

/// <summary>
/// A <see cref="CustomOp"/>'s forward: writes <paramref name="result"/> from the inputs, by launching ILGPU
/// kernels through <paramref name="launch"/> (or, on the host path, through its spans).
/// </summary>
/// <param name="launch">The device, its lock held, and the dispatcher; valid only during the call.</param>
/// <param name="result">The new output, of the shape given to <see cref="CustomOp.Apply"/>, contents undefined: write every element.</param>
public delegate void CustomForward(CustomLaunch launch, Tensor result);

/// <summary>
/// A <see cref="CustomOp"/>'s backward rule: the gradient of each input from the gradient of the output,
/// written with <see cref="Ops"/> and other custom operations (its own backward kernel is one).
/// </summary>
/// <param name="outputGradient">∂loss/∂result, shaped like the result.</param>
/// <param name="result">The forward's result, for rules that read it (ReLU, sigmoid, exp).</param>
/// <returns>
/// One gradient per input, in the order the inputs were given, each shaped like its input and on its
/// device, or null where the input gets none. The library takes what the rule returns and frees it.
/// </returns>
/// <remarks>
/// The operations the rule calls are neither recorded nor checked one by one: the rule's gradients are
/// checked as the op's backward step when <see cref="ComputeDevice.CheckNumerics"/> is on, and every
/// intermediate result an operation returns is freed when the rule returns. Returning the output
/// gradient, an input, the result or a view is allowed: the library returns a copy of it.
/// </remarks>
public delegate Tensor?[] CustomBackward(Tensor outputGradient, Tensor result);

/// <summary>
/// Which tensors a <see cref="CustomOp"/>'s backward rule reads, so that a <see cref="GradientTape"/>
/// refuses to differentiate after one of them is changed in place (an optimiser step, say) rather than
/// mix old and new values.
/// </summary>
[Flags]
public enum CustomOpSaves
{
    /// <summary>The rule reads no tensor (a constant factor, say): in-place writes never matter.</summary>
    None = 0,

    /// <summary>The rule reads the inputs.</summary>
    Inputs = 1,

    /// <summary>The rule reads the result.</summary>
    Result = 2,

    /// <summary>The rule reads the inputs and the result: the default, always safe.</summary>
    InputsAndResult = Inputs | Result,
}
