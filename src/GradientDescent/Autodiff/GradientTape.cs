using System.Runtime.CompilerServices;

namespace GradientDescent;

/// <summary>
/// Records operations so that gradients can be computed in reverse, like TensorFlow's
/// <c>tf.GradientTape</c>: <c>using var tape = new GradientTape(); … tape.Gradient(loss, [w1, w2])</c>.
/// </summary>
/// <remarks>
/// <para>
/// A tape records every operation with at least one input it watches, from its creation until it is
/// disposed, on the flow of execution that created it: it follows <c>await</c> to whichever thread the
/// continuation runs on, and a tape created inside an async method is not seen by its caller. Tensors with
/// <see cref="Tensor.IsTrainable"/> are watched automatically; <see cref="Watch"/> adds any other; every
/// recorded result is watched too. Tapes nest: each active tape records what it watches.
/// </para>
/// <para>
/// Ownership: every tensor an operation returns while a tape is active — recorded or not — is owned by
/// the outermost active tape, as are the gradients <see cref="Gradient(Tensor, Tensor[])"/> returns (a nested
/// tape's gradients too), and all are freed when that tape is disposed (disposing one of them yourself does nothing). A tape that is not
/// persistent is finished by its one <see cref="Gradient(Tensor, Tensor[])"/>: from then on it records and owns
/// nothing more, so what the caller computes afterwards (an update <c>w1 = w1 - lr * dw1</c>) is the caller's.
/// <see cref="Keep"/> hands one of the tape's tensors to the caller. A tape never disposed keeps what it owns;
/// <see cref="ComputeDevice.GetMemoryUsage"/> names it by the line that created it.
/// </para>
/// <para>
/// Gradients are computed from the values the operations saw: if a tensor a backward rule reads was
/// changed in place since (an optimiser step, say), <see cref="Gradient(Tensor, Tensor[])"/> throws rather
/// than mix old and new values. Second-order gradients (a tape recording another tape's gradient) are not
/// computed: the outer tape's <see cref="Gradient(Tensor, Tensor[])"/> throws <see cref="NotSupportedException"/>.
/// </para>
/// </remarks>
public sealed class GradientTape : IOpRecorder, ITensorOwner, IDisposable
{
    private readonly List<RecordedOp> _nodes = [];
    private readonly HashSet<Tensor> _watched = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> _owned = [];
    private readonly Lock _gate = new();
    private readonly OpContext.Frame _frame;
    private readonly string _createdAt;
    private bool _finished;
    private bool _disposed;

    /// <summary>Starts recording on the current flow of execution.</summary>
    /// <param name="persistent">Whether <see cref="Gradient(Tensor, Tensor[])"/> may be called more than once.</param>
    /// <param name="callerFile">Filled in by the compiler: where the tape is created, for memory reports.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    public GradientTape(bool persistent = false, [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0)
    {
        IsPersistent = persistent;
        _createdAt = $"{Path.GetFileName(callerFile)}:{callerLine}";
        _frame = OpContext.Enter(this, this, hidesBelow: false);
    }

    /// <summary>Whether gradients may be computed more than once.</summary>
    public bool IsPersistent { get; }

    /// <summary>How many operations this tape has recorded.</summary>
    public int RecordedOperations
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    bool IOpRecorder.IsRecording => !_disposed && !_finished;

    bool ITensorOwner.IsOwning => !_disposed && !_finished;

    /// <summary>Watches a tensor that is not trainable, so that gradients with respect to it can be computed.</summary>
    /// <param name="tensor">The tensor; it must not be disposed.</param>
    /// <exception cref="ObjectDisposedException">The tape or the tensor has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The tape is not persistent and has already computed its gradient.</exception>
    public void Watch(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfUnusable();
        tensor.ThrowIfDisposed();
        lock (_gate)
        {
            _watched.Add(tensor);
        }
    }

    /// <summary>
    /// The gradient of <paramref name="target"/> with respect to each source. A non-scalar target means
    /// the gradient of the sum of its elements, as in TensorFlow.
    /// </summary>
    /// <param name="target">The tensor to differentiate, computed while this tape recorded.</param>
    /// <param name="sources">The tensors to differentiate with respect to.</param>
    /// <returns>One gradient per source, shaped like it, or null where the target does not depend on it; owned by this tape.</returns>
    /// <exception cref="InvalidOperationException">
    /// A non-persistent tape is used a second time, or a tensor a backward rule reads was changed in place
    /// after it was recorded (the message names the operation and the tensor).
    /// </exception>
    /// <exception cref="NotSupportedException">The target is itself a gradient another tape computed: second-order gradients are not supported.</exception>
    /// <exception cref="ArgumentException">A source or the target lives on another device.</exception>
    /// <exception cref="ObjectDisposedException">The tape, the target or a tensor the backward pass needs has been freed.</exception>
    public Tensor?[] Gradient(Tensor target, params Tensor[] sources) => Gradient(target, (IReadOnlyList<Tensor>)sources);

    /// <summary>
    /// The gradient of <paramref name="target"/> with respect to each source, for a list such as
    /// <see cref="TwoLayerNet.Parameters"/>: <c>tape.Gradient(loss, net.Parameters)</c>.
    /// </summary>
    /// <param name="target">The tensor to differentiate, computed while this tape recorded.</param>
    /// <param name="sources">The tensors to differentiate with respect to.</param>
    /// <returns>One gradient per source, shaped like it, or null where the target does not depend on it; owned by this tape.</returns>
    /// <exception cref="InvalidOperationException">See <see cref="Gradient(Tensor, Tensor[])"/>.</exception>
    /// <exception cref="NotSupportedException">See <see cref="Gradient(Tensor, Tensor[])"/>.</exception>
    /// <exception cref="ArgumentException">A source or the target lives on another device.</exception>
    /// <exception cref="ObjectDisposedException">The tape, the target or a tensor the backward pass needs has been freed.</exception>
    public Tensor?[] Gradient(Tensor target, IReadOnlyList<Tensor> sources)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(sources);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException(
                $"The GradientTape created at {_createdAt} is not persistent and has already computed gradients once; "
                + "create it with persistent: true to call Gradient more than once.");
        }

        TensorChecks.Live("Gradient", target, nameof(target));
        for (int i = 0; i < sources.Count; i++)
        {
            TensorChecks.Live("Gradient", sources[i], $"sources[{i}]");
            TensorChecks.SameDevice("Gradient", target, sources[i]);
        }

        var others = OpContext.OtherRecorders(this);
        // Gradients belong with the results: to the outermost active tape, so a nested tape's gradients
        // outlive it as its results do; to this tape when it is the outermost.
        var owner = OpContext.CurrentOwner() is { } outer && !ReferenceEquals(outer, this) ? outer : this;
        if (!IsPersistent)
        {
            _finished = true;
            OpContext.Leave(_frame);
        }

        RecordedOp[] nodes;
        lock (_gate)
        {
            nodes = [.. _nodes];
        }

        Tensor?[] result;
        using (TensorScope.Pause())
        {
            result = new Backpropagation(this, nodes).Run(target, sources);
        }

        foreach (var g in result.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor?>())
        {
            if (g is not null && g.Owner is null)
            {
                ((ITensorOwner)owner).Own(g);
            }
        }

        if (others.Count > 0)
        {
            MarkNotDifferentiable(others, nodes, result);
        }

        return result;
    }

    /// <summary>Hands a tensor this tape owns (a result or a gradient) to the caller, who must then dispose it.</summary>
    /// <param name="tensor">A tensor this tape owns.</param>
    /// <returns><paramref name="tensor"/>, now owned by the caller; the tape still uses it for gradients.</returns>
    /// <exception cref="ArgumentException">This tape does not own the tensor.</exception>
    /// <exception cref="ObjectDisposedException">The tape has been disposed.</exception>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            if (!ReferenceEquals(tensor.Owner, this) || !_owned.Remove(tensor))
            {
                throw new ArgumentException(
                    $"Keep: the {tensor.ShapeText} tensor is not owned by the GradientTape created at {_createdAt}.", nameof(tensor));
            }
        }

        return tensor.OwnedByCaller();
    }

    /// <summary>Stops recording and frees every tensor this tape owns; harmless to call twice, from any thread.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        OpContext.Leave(_frame);
        List<Tensor> owned;
        lock (_gate)
        {
            owned = [.. _owned];
            _owned.Clear();
            _nodes.Clear();
            _watched.Clear();
        }

        foreach (var tensor in owned)
        {
            tensor.Release();
        }
    }

    /// <summary>Names the tape by where it was created, for memory reports and messages.</summary>
    /// <returns>For example <c>GradientTape created at Program.cs:12</c>.</returns>
    public override string ToString() =>
        $"GradientTape created at {_createdAt}{(IsPersistent ? " (persistent)" : string.Empty)}{(_disposed ? ", disposed" : _finished ? ", finished" : string.Empty)}";

    bool IOpRecorder.Watches(Tensor tensor) => IsWatched(tensor);

    void IOpRecorder.Record(RecordedOp op)
    {
        lock (_gate)
        {
            _nodes.Add(op);
            _watched.Add(op.Output);
        }
    }

    void ITensorOwner.Own(Tensor tensor)
    {
        lock (_gate)
        {
            _owned.Add(tensor.OwnedBy(this));
        }
    }

    internal bool IsWatched(Tensor tensor)
    {
        if (tensor.IsTrainable)
        {
            return true;
        }

        lock (_gate)
        {
            return _watched.Contains(tensor);
        }
    }

    /// <summary>
    /// The backward pass just run was not itself recorded, so a tape that watches what it read must not
    /// differentiate its results: each gets a node there whose rule throws, naming the operations.
    /// </summary>
    private void MarkNotDifferentiable(List<IOpRecorder> others, RecordedOp[] nodes, Tensor?[] gradients)
    {
        var names = string.Join(", ", nodes.Select(n => n.Name).Distinct());
        foreach (var other in others)
        {
            var read = nodes.SelectMany(n => n.Inputs).Where(other.Watches).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>().ToArray();
            if (read.Length == 0)
            {
                continue;
            }

            foreach (var g in gradients)
            {
                if (g is not null)
                {
                    other.Record(new RecordedOp("Gradient", g, read, [], (_, _) => throw new NotSupportedException(
                        $"Second-order gradients are not supported: this target is a gradient computed by the {this}, and the "
                        + $"backward rules it ran ({names}) are not themselves recorded. Compute it with finite differences "
                        + "(GradientCheck) or differentiate a first-order expression.")));
                }
            }
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException(
                $"The GradientTape created at {_createdAt} is not persistent and has already computed its gradient; it records nothing more.");
        }
    }
}
