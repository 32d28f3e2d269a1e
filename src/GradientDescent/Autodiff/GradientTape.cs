using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Records operations so that gradients can be computed in reverse, like TensorFlow's
/// <c>tf.GradientTape</c>: <c>using var tape = new GradientTape(); … tape.Gradient(loss, [w1, w2])</c>.
/// </summary>
/// <remarks>
/// <para>
/// A tape records, on the thread that created it, every operation with at least one input it watches.
/// Tensors with <see cref="Tensor.IsTrainable"/> are watched automatically; <see cref="Watch"/> adds any
/// other; every recorded output is watched too. Tapes nest: each active tape records what it watches.
/// </para>
/// <para>
/// Ownership: every tensor an operation returns while a tape is active — recorded or not — is owned by
/// the outermost active tape, as are the gradients <see cref="Gradient(Tensor, Tensor[])"/> returns.
/// They are disposed with that tape; <see cref="Tensor.Clone"/> keeps a copy beyond it.
/// </para>
/// </remarks>
public sealed class GradientTape : IDisposable
{
    [ThreadStatic]
    private static List<GradientTape>? s_active;

    [ThreadStatic]
    private static bool s_paused;

    private readonly List<TapeNode> _nodes = [];
    private readonly HashSet<Tensor> _watched = new(ReferenceEqualityComparer.Instance);
    private readonly List<IDisposable> _owned = [];
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private readonly List<GradientTape>? _hiddenOuter;
    private readonly bool _isolated;
    private bool _used;
    private bool _disposed;

    /// <summary>Starts recording on the current thread.</summary>
    /// <param name="persistent">Whether <see cref="Gradient(Tensor, Tensor[])"/> may be called more than once.</param>
    public GradientTape(bool persistent = false)
    {
        IsPersistent = persistent;
        (s_active ??= []).Add(this);
    }

    private GradientTape(List<GradientTape>? hiddenOuter)
    {
        _hiddenOuter = hiddenOuter;
        _isolated = true;
        s_active = [this];
    }

    /// <summary>Whether gradients may be computed more than once.</summary>
    public bool IsPersistent { get; }

    /// <summary>How many operations this tape has recorded.</summary>
    public int RecordedOperations => _nodes.Count;

    /// <summary>Backward functions: given the output's gradient and which inputs need one, the inputs' gradients.</summary>
    internal delegate Tensor?[] Backward(Tensor outputGradient, bool[] needed);

    /// <summary>Watches a tensor that is not trainable, so that gradients with respect to it can be computed.</summary>
    /// <param name="tensor">The tensor; it must not be disposed.</param>
    /// <exception cref="ObjectDisposedException">The tape or the tensor has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from another thread than the one that created the tape.</exception>
    public void Watch(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfUnusable();
        tensor.ThrowIfDisposed();
        _watched.Add(tensor);
    }

    /// <summary>
    /// The gradient of <paramref name="target"/> with respect to each source. A non-scalar target means
    /// the gradient of the sum of its elements, as in TensorFlow.
    /// </summary>
    /// <param name="target">The tensor to differentiate, computed while this tape recorded.</param>
    /// <param name="sources">The tensors to differentiate with respect to.</param>
    /// <returns>One gradient per source, shaped like it, or null where the target does not depend on it; owned by this tape.</returns>
    /// <exception cref="InvalidOperationException">A non-persistent tape is used a second time, or the call comes from another thread.</exception>
    /// <exception cref="ArgumentException">A source or the target lives on another device.</exception>
    /// <exception cref="ObjectDisposedException">The tape, the target or a tensor the backward pass needs has been disposed.</exception>
    public Tensor?[] Gradient(Tensor target, params Tensor[] sources)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(sources);
        ThrowIfUnusable();
        target.ThrowIfDisposed();
        if (_used && !IsPersistent)
        {
            throw new InvalidOperationException(
                "This GradientTape is not persistent and has already computed gradients once; create it with persistent: true to call Gradient more than once.");
        }

        foreach (var source in sources)
        {
            ArgumentNullException.ThrowIfNull(source, nameof(sources));
            OpChecks.SameDevice("Gradient", target, source);
        }

        _used = true;
        var wasPaused = s_paused;
        s_paused = true;
        try
        {
            return Backpropagate(target, sources);
        }
        finally
        {
            s_paused = wasPaused;
        }
    }

    /// <summary>Stops recording and disposes every tensor this tape owns.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_isolated)
        {
            s_active = _hiddenOuter;
        }
        else
        {
            s_active?.Remove(this);
        }
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _owned.Clear();
        _nodes.Clear();
        _watched.Clear();
    }

    /// <summary>
    /// A scope that owns (and frees on dispose) every result created inside it, hiding any outer tapes
    /// meanwhile: for evaluations whose intermediates nobody outside needs (prediction, accuracy,
    /// finite differences).
    /// </summary>
    internal static GradientTape Isolated() => new(s_active);

    /// <summary>Whether a tape is recording on this thread (and so owns new operation results).</summary>
    internal static bool IsActive => !s_paused && s_active is { Count: > 0 };

    /// <summary>Gives a new operation output (or saved tensor) to the outermost active tape, if any.</summary>
    internal static void Adopt(IDisposable tensor)
    {
        if (!s_paused && s_active is { Count: > 0 } active)
        {
            active[0]._owned.Add(tensor);
        }
    }

    /// <summary>Records an operation on every active tape that watches one of its inputs.</summary>
    /// <returns>Whether any tape recorded it.</returns>
    internal static bool Record(string name, Tensor output, Tensor[] inputs, Backward backward)
    {
        if (s_paused || s_active is not { Count: > 0 } active)
        {
            return false;
        }

        bool recorded = false;
        foreach (var tape in active)
        {
            if (tape._disposed || !inputs.Any(tape.IsWatched))
            {
                continue;
            }

            tape._nodes.Add(new TapeNode(name, output, inputs, backward));
            tape._watched.Add(output);
            recorded = true;
        }

        return recorded;
    }

    /// <summary>Records a reshape: the gradient flows back reshaped (copied, so views never outlive storage).</summary>
    internal static void RecordReshape(Tensor input, Tensor view) =>
        Record("Reshape", view, [input], (g, _) => [g.CloneAs([.. input.Shape])]);

    private bool IsWatched(Tensor tensor) => tensor.IsTrainable || _watched.Contains(tensor);

    private Tensor?[] Backpropagate(Tensor target, Tensor[] sources)
    {
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var keep = new HashSet<Tensor>(sources, ReferenceEqualityComparer.Instance);
        grads[target] = Tensor.Constant(target.Device, 1f, [.. target.Shape]);
        try
        {
            // Nodes were recorded in execution order, so walking them backwards visits every node after
            // all the nodes that consumed its output: a reverse topological order for free.
            for (int n = _nodes.Count - 1; n >= 0; n--)
            {
                var node = _nodes[n];
                if (!grads.Remove(node.Output, out var outputGrad))
                {
                    continue;
                }

                if (keep.Contains(node.Output))
                {
                    grads[node.Output] = outputGrad;
                }

                var needed = node.Inputs.Select(IsWatched).ToArray();
                var inputGrads = node.Backward(outputGrad, needed);
                if (!keep.Contains(node.Output))
                {
                    outputGrad.Dispose();
                }

                VerifyGradients(node, inputGrads);

                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    if (inputGrads[i] is { } g)
                    {
                        Accumulate(grads, node.Inputs[i], g);
                    }
                }
            }

            var result = new Tensor?[sources.Length];
            for (int s = 0; s < sources.Length; s++)
            {
                if (grads.TryGetValue(sources[s], out var g))
                {
                    result[s] = g;
                    _owned.Add(g);
                }
            }

            foreach (var (tensor, g) in grads)
            {
                if (!keep.Contains(tensor))
                {
                    g.Dispose();
                }
            }

            return result;
        }
        catch
        {
            foreach (var g in grads.Values)
            {
                g.Dispose();
            }

            throw;
        }
    }

    /// <summary>With <see cref="ComputeDevice.CheckNumerics"/> on, checks a backward step's gradients, freeing them all if one is bad.</summary>
    private static void VerifyGradients(TapeNode node, Tensor?[] inputGrads)
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
                g?.Dispose();
            }

            throw;
        }
    }

    private static void Accumulate(Dictionary<Tensor, Tensor> grads, Tensor input, Tensor g)
    {
        if (grads.TryGetValue(input, out var existing))
        {
            Kernels.Elementwise.AddScaled(existing, 1f, g, existing);
            g.Dispose();
        }
        else
        {
            grads[input] = g;
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException(
                $"This GradientTape belongs to thread {_threadId} but was used from thread {Environment.CurrentManagedThreadId}; tapes record per thread.");
        }
    }

    private sealed record TapeNode(string Name, Tensor Output, Tensor[] Inputs, Backward Backward);
}
