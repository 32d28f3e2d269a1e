using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// The operations on tensors, each a hand-written ILGPU kernel (and a host SIMD kernel for the CPU) with
/// its backward rule. Arguments are checked here, before anything is allocated or launched; a mismatch
/// throws with the shapes and values in the message.
/// </summary>
/// <remarks>
/// Every result is a new tensor. Outside a <see cref="GradientTape"/> the caller owns it; while a tape
/// records, the outermost tape does. Operations whose inputs a tape watches are recorded on it, and only
/// then do they compute what their backward rule needs beyond the result.
/// </remarks>
public static partial class Ops
{
    /// <summary>
    /// Runs <paramref name="kernel"/> into a new result of <paramref name="shape"/>, then finishes the
    /// operation (<see cref="Finish"/>). The result is freed if the kernel throws.
    /// </summary>
    /// <param name="op">The operation's name.</param>
    /// <param name="device">Where the result lives.</param>
    /// <param name="shape">The result's shape.</param>
    /// <param name="kernel">Writes the result.</param>
    /// <param name="inputs">The tensor inputs, in the backward rule's order.</param>
    /// <param name="backward">Makes the backward rule, given the result.</param>
    /// <param name="saved">The inputs the rule reads (by role), so in-place writes to them are detected.</param>
    /// <param name="savesResult">Whether the rule reads the result too.</param>
    private static Tensor Compute(
        string op, ComputeDevice device, int[] shape, Action<Tensor> kernel, Tensor[] inputs, Func<Tensor, BackwardRule> backward,
        SavedTensor[]? saved = null, bool savesResult = false)
    {
        var result = Tensor.Uninitialized(device, shape);
        try
        {
            kernel(result);
        }
        catch
        {
            result.Release();
            throw;
        }

        saved ??= [];
        if (savesResult)
        {
            saved = [.. saved, SavedTensor.Of("result", result)];
        }

        return Finish(op, result, inputs, saved, backward(result));
    }

    /// <summary>
    /// Finishes an operation: checks its result when <see cref="ComputeDevice.CheckNumerics"/> is on
    /// (freeing it, and <paramref name="alsoOwned"/>, if the check fails), records it on every tape that
    /// watches an input, and gives the result (and <paramref name="alsoOwned"/>, scratch its rule reads) to
    /// their owner.
    /// </summary>
    private static Tensor Finish(
        string op, Tensor result, Tensor[] inputs, SavedTensor[] saved, BackwardRule backward, Tensor? alsoOwned = null)
    {
        try
        {
            NumericsCheck.Verify(op, result);
        }
        catch
        {
            result.Release();
            alsoOwned?.Release();
            throw;
        }

        bool recorded = OpContext.Record(new RecordedOp(op, result, inputs, saved, backward));
        OpContext.Adopt(result);
        if (alsoOwned is not null)
        {
            if (recorded)
            {
                OpContext.Adopt(alsoOwned);
            }
            else
            {
                alsoOwned.Release();
            }
        }

        return result;
    }

    /// <summary>A new tensor written by <paramref name="kernel"/>, freed if the kernel throws: for backward rules' gradients.</summary>
    private static Tensor Fresh(ComputeDevice device, int[] shape, Action<Tensor> kernel)
    {
        var result = Tensor.Uninitialized(device, shape);
        try
        {
            kernel(result);
            return result;
        }
        catch
        {
            result.Release();
            throw;
        }
    }

    /// <summary>Zeroes <paramref name="tensor"/> in place and returns it.</summary>
    private static Tensor Zeroed(Tensor tensor)
    {
        using var scope = tensor.Device.Lock();
        tensor.View.MemSetToZero();
        return tensor;
    }

    /// <summary>s·g into a new tensor: a backward rule's helper.</summary>
    private static Tensor Scaled(Tensor g, float s) =>
        Fresh(g.Device, [.. g.Shape], result => ElementwiseKernels.Scale(g, s, result));

    /// <summary>A copy of g: the gradient of an input that passes it through unchanged.</summary>
    private static Tensor Copy(Tensor g) => g.CopyAs([.. g.Shape]);
}
