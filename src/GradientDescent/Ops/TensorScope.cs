namespace GradientDescent;

/// <summary>
/// Owns every tensor an operation returns while it is current, hides any tapes outside it (nothing inside is
/// recorded, like <c>torch.no_grad()</c>), and frees those tensors when disposed: for evaluations whose
/// intermediates nobody outside needs, such as accuracy on a test set. A tape created inside it records and
/// owns as usual.
/// </summary>
/// <remarks>
/// <c>using (new TensorScope()) { accuracy = Ops.Accuracy(net(x), labels); }</c> frees the whole forward pass
/// at the closing brace. Like a tape, it flows with the async context. Copy a result out (<c>ToArray</c>,
/// <c>Item</c>) before the scope ends, or compute it outside.
/// </remarks>
public sealed class TensorScope : ITensorOwner, IDisposable
{
    private readonly List<Tensor> _owned = [];
    private readonly OpContext.Frame _frame;
    private bool _disposed;

    /// <summary>Starts a scope on the current flow of execution.</summary>
    public TensorScope() => _frame = OpContext.Enter(recorder: null, owner: this, hidesBelow: true);

    bool ITensorOwner.IsOwning => !_disposed;

    /// <summary>Starts a scope on the current flow.</summary>
    internal static TensorScope Isolated() => new();

    /// <summary>
    /// Hides every tape and scope until disposed, owning nothing: operations inside neither record nor
    /// are owned (a backward pass runs in one, so its gradients are the caller's).
    /// </summary>
    internal static Paused Pause() => new(OpContext.Enter(recorder: null, owner: null, hidesBelow: true));

    void ITensorOwner.Own(Tensor tensor) => _owned.Add(tensor.OwnedBy(this));

    /// <summary>Ends the scope and frees every tensor it owns; harmless to call twice.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        OpContext.Leave(_frame);
        foreach (var tensor in _owned)
        {
            tensor.Release();
        }

        _owned.Clear();
    }

    /// <summary>Names the scope, for memory reports.</summary>
    /// <returns><c>TensorScope</c>.</returns>
    public override string ToString() => "TensorScope";

    /// <summary>A pause; disposing it ends it.</summary>
    internal readonly struct Paused(OpContext.Frame frame) : IDisposable
    {
        public void Dispose() => OpContext.Leave(frame);
    }
}
