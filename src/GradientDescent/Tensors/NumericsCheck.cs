namespace GradientDescent;

/// <summary>The check behind <see cref="ComputeDevice.CheckNumerics"/>: a scan of a result on the host.</summary>
internal static class NumericsCheck
{
    private static readonly AsyncLocal<bool> s_suspended = new();

    /// <summary>Throws <see cref="NonFiniteValueException"/> if checking is on and <paramref name="tensor"/> holds NaN or ±∞.</summary>
    /// <param name="operation">The operation that wrote the tensor.</param>
    /// <param name="tensor">The tensor, any shape.</param>
    /// <param name="role">Which of the operation's tensors it is.</param>
    internal static void Verify(string operation, Tensor tensor, string role = "result")
    {
        if (!tensor.Device.CheckNumerics || s_suspended.Value)
        {
            return;
        }

        // ToArray waits for the device, so the check sees the finished result.
        var values = tensor.ToArray();
        int first = -1;
        int count = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                first = first < 0 ? i : first;
                count++;
            }
        }

        if (first >= 0)
        {
            throw new NonFiniteValueException(operation, role, tensor.Shape, Unravel(first, tensor.Shape), values[first], count);
        }
    }

    /// <summary>
    /// <see cref="Verify"/> for a result the caller has just created and not yet handed out: it is
    /// freed if the check throws, so a rejected result never leaks.
    /// </summary>
    /// <param name="operation">The operation that created the tensor.</param>
    /// <param name="tensor">The new tensor, any shape.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    internal static Tensor VerifyNew(string operation, Tensor tensor)
    {
        try
        {
            Verify(operation, tensor);
            return tensor;
        }
        catch
        {
            tensor.Release();
            throw;
        }
    }

    /// <summary>
    /// Skips the checks on this flow until disposed: for the operations inside a custom backward rule, whose
    /// gradients the backward pass checks as that rule's step (as it does the library's own rules).
    /// </summary>
    internal static Suspension Suspend()
    {
        bool was = s_suspended.Value;
        s_suspended.Value = true;
        return new Suspension(was);
    }

    private static int[] Unravel(int flat, IReadOnlyList<int> shape)
    {
        var index = new int[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }

        return index;
    }

    /// <summary>A suspension; disposing it restores the previous state.</summary>
    internal readonly struct Suspension(bool was) : IDisposable
    {
        public void Dispose() => s_suspended.Value = was;
    }
}
