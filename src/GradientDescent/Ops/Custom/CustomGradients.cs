namespace GradientDescent;

/// <summary>
/// Runs a <see cref="CustomOp"/>'s backward rule for the backward pass: in a scope that frees the rule's
/// intermediates, with the rule's gradients checked against the inputs before the tape uses them.
/// </summary>
internal static class CustomGradients
{
    /// <summary>The rule's gradients, each owned by the caller (the backward pass), null where not needed.</summary>
    internal static Tensor?[] Run(string op, CustomBackward rule, Tensor g, Tensor result, Tensor[] inputs, bool[] needed)
    {
        // Buffers allocated from here on are the rule's own: a factory tensor it returns can be taken as is.
        long lastBefore = g.Device.Memory.LastId;
        using var scope = TensorScope.Isolated();
        Tensor?[]? gradients;
        using (NumericsCheck.Suspend())
        {
            try
            {
                gradients = rule(g, result);
            }
            catch (KernelCompilationException e)
            {
                throw new KernelCompilationException($"{op} backward: {e.Message}", e);
            }
        }

        bool IsFresh(Tensor t) => ReferenceEquals(t.Device, g.Device) && t.Owner is null && !t.IsView && t.Buffer.Id > lastBefore;
        try
        {
            Check(op, gradients, inputs);
        }
        catch
        {
            foreach (var t in gradients ?? [])
            {
                if (t is not null && IsFresh(t))
                {
                    t.Release();
                }
            }

            throw;
        }

        var taken = new Tensor?[inputs.Length];
        try
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                if (gradients![i] is not { } t)
                {
                    continue;
                }

                bool first = Array.IndexOf(gradients, t) == i;
                if (!needed[i])
                {
                    if (first && IsFresh(t))
                    {
                        t.Release();
                    }

                    continue;
                }

                // A tensor the rule made is handed over; anything else (the output gradient, an input, the
                // result, a view, a tensor returned twice) is copied, because the tape frees what it gets.
                taken[i] = !first || t.IsView ? t.CopyAs([.. t.Shape])
                    : ReferenceEquals(t.Owner, scope) ? scope.Disown(t)
                    : IsFresh(t) ? t
                    : t.CopyAs([.. t.Shape]);
            }
        }
        catch
        {
            foreach (var t in taken)
            {
                t?.Release();
            }

            throw;
        }

        return taken;
    }

    private static void Check(string op, Tensor?[]? gradients, Tensor[] inputs)
    {
        int n = inputs.Length;
        if (gradients is null || gradients.Length != n)
        {
            throw new CustomOpException(op,
                $"{op} backward returned {(gradients is null ? "null" : $"{gradients.Length} gradient(s)")} for {n} input(s): "
                + "return one per input, in the order given to Apply (null where an input gets none).");
        }

        for (int i = 0; i < n; i++)
        {
            if (gradients[i] is not { } t)
            {
                continue;
            }

            string which = $"{op} backward: the gradient of input {i + 1} of {n}";
            if (t.IsDisposed)
            {
                throw new CustomOpException(op, $"{which} (shape {t.ShapeText}) has been disposed; return a live tensor.");
            }

            if (!ReferenceEquals(t.Device, inputs[i].Device))
            {
                throw new CustomOpException(op, $"{which} lives on {t.Device}, but the input lives on {inputs[i].Device}.");
            }

            if (!t.Shape.SequenceEqual(inputs[i].Shape))
            {
                throw new CustomOpException(op, $"{which} has shape {t.ShapeText}, but the input has shape {inputs[i].ShapeText}.");
            }
        }
    }
}
