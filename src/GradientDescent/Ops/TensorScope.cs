namespace GradientDescent;

/// <summary>
/// Owns every tensor an operation returns while it is current, hides any tapes outside it, and frees
/// those tensors when disposed: for evaluations whose intermediates nobody outside needs (prediction,
/// accuracy, finite differences). A tape created inside it records and owns as usual.
/// </summary>
internal sealed class TensorScope : ITensorOwner, IDisposable
{
    private readonly List<Tensor> _owned = [];
    private readonly OpContext.Frame _frame;
    private bool _disposed;

    private TensorScope() => _frame = OpContext.Enter(recorder: null, owner: this, hidesBelow: true);

    public bool IsOwning => !_disposed;

    /// <summary>Starts a scope on the current flow.</summary>
    internal static TensorScope Isolated() => new();

    /// <summary>
    /// Hides every tape and scope until disposed, owning nothing: operations inside neither record nor
    /// are owned (a backward pass runs in one, so its gradients are the caller's).
    /// </summary>
    internal static Paused Pause() => new(OpContext.Enter(recorder: null, owner: null, hidesBelow: true));

    public void Own(Tensor tensor) => _owned.Add(tensor.OwnedBy(this));

    /// <summary>Hands a tensor this scope owns to the caller, who must then free it.</summary>
    internal Tensor Disown(Tensor tensor)
    {
        _owned.Remove(tensor);
        return tensor.OwnedByCaller();
    }

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

    public override string ToString() => "a temporary evaluation scope";

    /// <summary>A pause; disposing it ends it.</summary>
    internal readonly struct Paused(OpContext.Frame frame) : IDisposable
    {
        public void Dispose() => OpContext.Leave(frame);
    }
}
