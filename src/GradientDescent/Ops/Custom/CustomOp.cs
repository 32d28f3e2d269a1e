namespace GradientDescent;

/// <summary>
/// An operation you write yourself: your ILGPU kernel as its forward, your rule as its backward, run and
/// recorded exactly like the library's own operations.
/// </summary>
/// <remarks>
/// <para>
/// A leaky ReLU, with its kernel <c>LeakyReluKernel(ArrayView&lt;float&gt; x, ArrayView&lt;float&gt; y, float slope, int n)</c>:
/// </para>
/// <code>
/// Tensor LeakyRelu(Tensor x) => new CustomOp("LeakyRelu")
///     .Forward((launch, y) => launch.Run(LaunchShape.Elements(y.Length), LeakyReluKernel, launch.View(x), launch.View(y), 0.01f, y.Length))
///     .Backward((g, y) => [LeakyReluGradient(x, g)], CustomOpSaves.Inputs)
///     .Apply(x.Shape, x);
/// </code>
/// <para>
/// <see cref="Apply"/> validates the inputs and the output shape, allocates the result, runs the forward
/// under the device lock (kernels compiled once per device, cached and counted, like the library's), checks
/// the result when <see cref="ComputeDevice.CheckNumerics"/> is on, records the operation on every
/// <see cref="GradientTape"/> that watches an input and hands the result to its owner: the outermost
/// recording tape, else the caller. In the backward pass the rule's gradients are checked for count, shape
/// and device, and intermediates it computes are freed.
/// </para>
/// <para>
/// A <see cref="CustomOp"/> is immutable: <see cref="Forward"/> and <see cref="Backward"/> return a new
/// one, so a partly built op may be kept in a static field and completed per call. An op without a
/// backward rule computes, but a gradient that reaches it throws <see cref="NotSupportedException"/>.
/// </para>
/// </remarks>
public sealed class CustomOp
{
    private readonly CustomForward? _forward;
    private readonly CustomBackward? _backward;
    private readonly CustomOpSaves _saves;

    /// <summary>Starts an operation named <paramref name="name"/>, with no forward or backward yet.</summary>
    /// <param name="name">How messages, numeric checks and memory reports name it, e.g. <c>LeakyRelu</c>.</param>
    /// <exception cref="ArgumentException">The name is empty or only white space.</exception>
    public CustomOp(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    private CustomOp(string name, CustomForward? forward, CustomBackward? backward, CustomOpSaves saves) =>
        (Name, _forward, _backward, _saves) = (name, forward, backward, saves);

    /// <summary>The operation's name.</summary>
    public string Name { get; }

    /// <summary>Whether a backward rule has been given, so gradients flow through the operation.</summary>
    public bool IsDifferentiable => _backward is not null;

    /// <summary>This operation with <paramref name="forward"/> as its forward.</summary>
    /// <param name="forward">Writes the result by launching kernels; see <see cref="CustomForward"/>.</param>
    /// <returns>A new <see cref="CustomOp"/>; this one is unchanged.</returns>
    public CustomOp Forward(CustomForward forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return new(Name, forward, _backward, _saves);
    }

    /// <summary>This operation with <paramref name="backward"/> as its backward rule.</summary>
    /// <param name="backward">The gradients of the inputs from the output's; see <see cref="CustomBackward"/>.</param>
    /// <param name="saves">Which tensors the rule reads; in-place writes to them after the operation ran make the tape's <c>Gradient</c> throw.</param>
    /// <returns>A new <see cref="CustomOp"/>; this one is unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="saves"/> is not a combination of the flags.</exception>
    public CustomOp Backward(CustomBackward backward, CustomOpSaves saves = CustomOpSaves.InputsAndResult)
    {
        ArgumentNullException.ThrowIfNull(backward);
        if ((saves & ~CustomOpSaves.InputsAndResult) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(saves), saves, $"{Name}: saves must combine Inputs and Result.");
        }

        return new(Name, _forward, backward, saves);
    }

    /// <summary>Runs the operation on <paramref name="inputs"/> into a new tensor of <paramref name="outputShape"/>.</summary>
    /// <param name="outputShape">The result's shape: every extent at least 1 (a scalar is <c>[]</c>).</param>
    /// <param name="inputs">The tensors the forward reads, in the order the backward rule returns their gradients; at least one, all on one device.</param>
    /// <returns>The result: owned by the outermost recording <see cref="GradientTape"/>, else by the caller.</returns>
    /// <exception cref="CustomOpException">No forward was given.</exception>
    /// <exception cref="ArgumentException">No inputs, inputs on different devices, or an output shape with an extent below 1 or more than <see cref="int.MaxValue"/> elements.</exception>
    /// <exception cref="ObjectDisposedException">An input has been disposed.</exception>
    /// <exception cref="KernelCompilationException">A kernel does not compile for the device; the message names this operation and the kernel.</exception>
    /// <exception cref="NonFiniteValueException">With <see cref="ComputeDevice.CheckNumerics"/> on, the result holds NaN or ±∞.</exception>
    public Tensor Apply(IReadOnlyList<int> outputShape, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(outputShape);
        ArgumentNullException.ThrowIfNull(inputs);
        if (_forward is null)
        {
            throw new CustomOpException(Name, $"{Name} has no forward: give it one with Forward((launch, result) => ...) before Apply.");
        }

        if (inputs.Length == 0)
        {
            throw new ArgumentException($"{Name}: Apply needs at least one input tensor (it decides the device).", nameof(inputs));
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            TensorChecks.Live(Name, inputs[i], $"inputs[{i}]");
            TensorChecks.SameDevice(Name, inputs[0], inputs[i]);
        }

        int[] shape = [.. outputShape];
        CheckShape(shape);
        return Ops.ApplyCustom(Name, shape, [.. inputs], _forward, _backward, _saves);
    }

    /// <summary>The name, and whether the operation is differentiable.</summary>
    /// <returns>For example <c>CustomOp LeakyRelu (forward, backward)</c>.</returns>
    public override string ToString() =>
        $"CustomOp {Name} ({(_forward is null ? "no forward" : "forward")}, {(_backward is null ? "no backward" : "backward")})";

    private void CheckShape(int[] outputShape)
    {
        long product = 1;
        foreach (int extent in outputShape)
        {
            product *= Math.Max(extent, 0);
            if (extent < 1 || product > int.MaxValue)
            {
                throw new ArgumentException(
                    $"{Name}: the output shape {ShapeMath.Format(outputShape)} is invalid: every extent must be at least 1 and the "
                    + $"elements at most {int.MaxValue}.", nameof(outputShape));
            }
        }
    }
}
