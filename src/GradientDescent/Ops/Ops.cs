using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// The operations on tensors, each a hand-written ILGPU kernel with its backward pass. Shapes are
/// checked here, before any launch; a mismatch throws with both shapes in the message.
/// </summary>
/// <remarks>
/// Every result is a new tensor. Outside a <see cref="GradientTape"/> the caller owns it; while a tape
/// is active, the outermost tape does. Operations whose inputs a tape watches are recorded on it.
/// </remarks>
public static partial class Ops
{
    /// <summary>A new result tensor, owned by the outermost active tape if there is one.</summary>
    private static Tensor NewResult(ComputeDevice device, params int[] shape)
    {
        var tensor = Tensor.Uninitialized(device, shape);
        GradientTape.Adopt(tensor);
        return tensor;
    }

    /// <summary>
    /// Finishes an operation: checks its result when <see cref="ComputeDevice.CheckNumerics"/> is on
    /// (freeing it if the check fails), then records it on every active tape that watches an input.
    /// </summary>
    /// <returns>Whether any tape recorded it.</returns>
    private static bool Complete(string op, Tensor result, Tensor[] inputs, GradientTape.Backward backward)
    {
        NumericsCheck.VerifyNew(op, result);
        return GradientTape.Record(op, result, inputs, backward);
    }

    private static Tensor Scaled(Tensor g, float s)
    {
        var result = Tensor.Uninitialized(g.Device, [.. g.Shape]);
        Kernels.Elementwise.Scale(g, s, result);
        return result;
    }
}
