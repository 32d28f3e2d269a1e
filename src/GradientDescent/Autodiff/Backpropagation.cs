namespace GradientDescent;

/// <summary>
/// One reverse pass over a tape's recorded operations: seeds the target's gradient with ones, runs each
/// backward rule in reverse recording order and sums the gradients of inputs used more than once.
/// </summary>
/// <remarks>
/// Operations are recorded in execution order, so walking them backwards visits every operation after
/// all the operations that consumed its result: a reverse topological order for free. Every gradient
/// buffer is freed on every failure path.
/// </remarks>
internal sealed class Backpropagation(GradientTape tape, RecordedOp[] nodes)
{
    private readonly Dictionary<Tensor, Tensor> _grads = new(ReferenceEqualityComparer.Instance);

    /// <summary>The gradients of <paramref name="target"/> with respect to <paramref name="sources"/>, owned by the caller.</summary>
    internal Tensor?[] Run(Tensor target, IReadOnlyList<Tensor> sources)
    {
        var keep = new HashSet<Tensor>(sources, ReferenceEqualityComparer.Instance);
        _grads[target] = Tensor.Constant(target.Device, 1f, [.. target.Shape]);
        try
        {
            for (int n = nodes.Length - 1; n >= 0; n--)
            {
                Step(nodes[n], keep);
            }

            var result = new Tensor?[sources.Count];
            var handedOut = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            for (int s = 0; s < sources.Count; s++)
            {
                if (_grads.TryGetValue(sources[s], out var g))
                {
                    result[s] = g;
                    handedOut.Add(g);
                }
            }

            foreach (var g in _grads.Values)
            {
                if (!handedOut.Contains(g))
                {
                    g.Release();
                }
            }

            return result;
        }
        catch
        {
            foreach (var g in _grads.Values)
            {
                g.Release();
            }

            throw;
        }
    }

    private void Step(RecordedOp node, HashSet<Tensor> keep)
    {
        if (!_grads.TryGetValue(node.Output, out var outputGrad))
        {
            return;
        }

        CheckSaved(node);
        var needed = node.Inputs.Select(tape.IsWatched).ToArray();
        var inputGrads = node.Backward(outputGrad, needed);
        if (!keep.Contains(node.Output))
        {
            _grads.Remove(node.Output);
            outputGrad.Release();
        }

        Verify(node, inputGrads);
        for (int i = 0; i < node.Inputs.Length; i++)
        {
            if (inputGrads[i] is { } g)
            {
                Accumulate(node.Inputs[i], g);
            }
        }
    }

    /// <summary>Throws if a tensor the rule reads was written in place after the operation ran.</summary>
    private static void CheckSaved(RecordedOp node)
    {
        foreach (var saved in node.Saved)
        {
            if (saved.Tensor.Version != saved.Version)
            {
                throw new InvalidOperationException(
                    $"{node.Name} backward: its {saved.Role} (shape {saved.Tensor.ShapeText}) was changed in place after {node.Name} was "
                    + $"recorded ({saved.Tensor.Version - saved.Version} write(s), e.g. an optimiser step), so its gradient would mix old "
                    + "and new values. Compute gradients before updating, or record the forward pass again.");
            }
        }
    }

    /// <summary>With <see cref="ComputeDevice.CheckNumerics"/> on, checks a backward step's gradients, freeing them all if one is bad.</summary>
    private static void Verify(RecordedOp node, Tensor?[] inputGrads)
    {
        try
        {
            for (int i = 0; i < inputGrads.Length; i++)
            {
                if (inputGrads[i] is { } g)
                {
                    NumericsCheck.Verify($"{node.Name} backward", g, $"gradient of input {i + 1} of {inputGrads.Length}");
                }
            }
        }
        catch
        {
            foreach (var g in inputGrads)
            {
                g?.Release();
            }

            throw;
        }
    }

    private void Accumulate(Tensor input, Tensor g)
    {
        if (_grads.TryGetValue(input, out var existing))
        {
            try
            {
                ElementwiseKernels.AddScaled(existing, 1f, g, existing);
            }
            finally
            {
                g.Release();
            }
        }
        else
        {
            _grads[input] = g;
        }
    }
}
