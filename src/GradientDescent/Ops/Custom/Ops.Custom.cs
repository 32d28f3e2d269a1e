namespace GradientDescent;

public static partial class Ops
{
    /// <summary>
    /// A <see cref="CustomOp"/>'s run, through the same <see cref="Compute"/> as every library op: allocate,
    /// launch under the device lock, check, record, adopt. Arguments were validated by the op.
    /// </summary>
    internal static Tensor ApplyCustom(
        string op, int[] shape, Tensor[] inputs, CustomForward forward, CustomBackward? backward, CustomOpSaves saves)
    {
        SavedTensor[] saved = (saves & CustomOpSaves.Inputs) != 0
            ? [.. inputs.Select((input, i) => SavedTensor.Of($"input {i + 1} of {inputs.Length}", input))]
            : [];
        return Compute(op, inputs[0].Device, shape, result => RunForward(op, forward, result), inputs,
            result => backward is null ? NotDifferentiable(op) : (g, needed) => CustomGradients.Run(op, backward, g, result, inputs, needed),
            saved, savesResult: (saves & CustomOpSaves.Result) != 0);
    }

    private static void RunForward(string op, CustomForward forward, Tensor result)
    {
        using var launch = result.Device.Kernels.Begin();
        try
        {
            forward(new CustomLaunch(launch, op), result);
        }
        catch (KernelCompilationException e)
        {
            throw new KernelCompilationException($"{op}: {e.Message}", e);
        }
    }

    private static BackwardRule NotDifferentiable(string op) => (_, _) => throw new NotSupportedException(
        $"{op} has no backward rule, so no gradient can flow through it: give it one with CustomOp.Backward, "
        + "or compute it outside the tape.");
}
