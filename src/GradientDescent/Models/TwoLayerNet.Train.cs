namespace GradientDescent;

public sealed partial class TwoLayerNet
{
    /// <summary>
    /// One step of gradient descent on a batch: forward, mean softmax cross-entropy, backward, and
    /// <c>p −= lr·dp</c> for every parameter. On GPUs and the CPU emulator six kernel launches (five without
    /// biases): the first product with its bias and ReLU, the whole output layer in one row kernel, two
    /// gradient products, the first bias's gradient and one update for all parameters; on the host SIMD
    /// path the tape path's kernels in a fixed order. Into buffers the network keeps: after the first
    /// call with the largest batch, a step allocates nothing.
    /// </summary>
    /// <param name="x">(n, inputs).</param>
    /// <param name="labels">n labels in <c>0..classes−1</c>.</param>
    /// <param name="optimizer">The update rule, for example an <see cref="SgdStep"/>.</param>
    /// <returns>
    /// The batch's mean loss before the update, a scalar owned by the network and overwritten by the next
    /// step (disposing it does nothing); read it with <see cref="Tensor.Item"/> (which waits for the device)
    /// only when needed.
    /// </returns>
    /// <exception cref="ArgumentException">The shapes or label counts do not match.</exception>
    /// <exception cref="ObjectDisposedException">The network, <paramref name="x"/> or the labels have been disposed.</exception>
    public Tensor TrainStep(Tensor x, Labels labels, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        CheckInput(x);
        TensorChecks.Labels(nameof(TrainStep), Device, x.Shape[0], Options.Classes, labels);
        if (UsesFusedStep)
        {
            return FusedStep(x, labels, optimizer);
        }

        // The host SIMD path (and a net too wide for the fused output layer): the unfused sequence.
        int n = x.Shape[0];
        if (_workspace is null || _workspace.Capacity < n)
        {
            _workspace?.Dispose();
            _workspace = null;
            _workspace = new Workspace(this, n, Options.Hidden, Options.Classes);
        }

        var ws = _workspace.For(n);
        var (w1, b1, w2, b2) = (W1, B1, W2, B2);
        var grads = _gradientViews;
        var (dw1, db1, dw2, db2) = Options.UseBias
            ? (grads[0], grads[1], grads[2], grads[3])
            : (grads[0], null, grads[1], null);

        var phases = Phases;
        phases?.Start();

        // Forward: h = relu(x·W1 + b1), logits = h·W2 + b2 (bias ops in place; on the host, as the products write).
        MatMulKernels.ForwardDense(x, w1, b1, relu: true, ws.Hidden);
        phases?.End("h = relu(x·W1 + b1)");
        NumericsCheck.Verify(nameof(TrainStep), ws.Hidden, "hidden activations relu(x·w1 + b1)");
        MatMulKernels.ForwardDense(ws.Hidden, w2, b2, relu: false, ws.Logits);
        phases?.End("logits = h·W2 + b2");

        NumericsCheck.Verify(nameof(TrainStep), ws.Logits, "logits h·w2 + b2");

        // Loss and dlogits = (softmax − onehot) / n in one pass; then the mean.
        SoftmaxKernels.Sparse(ws.Logits, labels, ws.RowLoss, ws.Logits, 1f / n);
        phases?.End("softmax-CE, dlogits");
        ReductionKernels.Total(ws.RowLoss, _workspace.Loss, 1f / n);
        phases?.End("mean loss");
        NumericsCheck.Verify(nameof(TrainStep), _workspace.Loss, "mean loss");

        // Backward (ws.Logits now holds dlogits).
        MatMulKernels.Forward(ws.Hidden, true, ws.Logits, false, dw2);
        phases?.End("dW2 = hᵀ·dlogits");
        if (db2 is not null)
        {
            ReductionKernels.ColumnSum(ws.Logits, db2);
            phases?.End("db2 = column sums of dlogits");
        }

        MatMulKernels.ForwardReluBackward(ws.Logits, false, w2, true, ws.Hidden, ws.HiddenGrad);
        phases?.End("dh = dlogits·W2ᵀ ⊙ (h > 0)");
        MatMulKernels.Forward(x, true, ws.HiddenGrad, false, dw1);
        phases?.End("dW1 = xᵀ·dh");
        if (db1 is not null)
        {
            ReductionKernels.ColumnSum(ws.HiddenGrad, db1);
            phases?.End("db1 = column sums of dh");
        }

        VerifyEach(nameof(TrainStep), grads, "gradient of ");
        optimizer.Update(_parameters, _gradients);
        phases?.End("update");
        VerifyEach(nameof(TrainStep) + " update", Parameters, string.Empty);
        return _workspace.Loss;
    }

    /// <summary>When set, the host path's <see cref="TrainStep"/> records the time of each of its phases (the benchmarks' <c>phases</c> command).</summary>
    internal StepPhases? Phases { get; set; }

    /// <summary>With <see cref="ComputeDevice.CheckNumerics"/> on, checks each parameter-shaped tensor, named w1, b1, w2, b2.</summary>
    private void VerifyEach(string op, IReadOnlyList<Tensor> tensors, string prefix)
    {
        if (!Device.CheckNumerics)
        {
            return;
        }

        string[] names = Options.UseBias ? ["w1", "b1", "w2", "b2"] : ["w1", "w2"];
        for (int i = 0; i < tensors.Count; i++)
        {
            NumericsCheck.Verify(op, tensors[i], prefix + names[i]);
        }
    }

    /// <summary>Step buffers sized for the largest batch seen; smaller batches use leading rows. All owned by the network.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly Tensor[] _all;

        internal Workspace(TwoLayerNet owner, int capacity, int hidden, int classes)
        {
            Capacity = capacity;
            _all = new Tensor[5];
            try
            {
                _all[0] = Tensor.Uninitialized(owner.Device, [capacity, hidden]).OwnedBy(owner);
                _all[1] = Tensor.Uninitialized(owner.Device, [capacity, hidden]).OwnedBy(owner);
                _all[2] = Tensor.Uninitialized(owner.Device, [capacity, classes]).OwnedBy(owner);
                _all[3] = Tensor.Uninitialized(owner.Device, [capacity]).OwnedBy(owner);
                _all[4] = Tensor.Uninitialized(owner.Device, []).OwnedBy(owner);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        internal int Capacity { get; }

        internal Tensor Loss => _all[4];

        internal Batch For(int n) => n == Capacity
            ? new Batch(_all[0], _all[1], _all[2], _all[3])
            : new Batch(_all[0].LeadingRows(n), _all[1].LeadingRows(n), _all[2].LeadingRows(n), Tensor.ViewOf(_all[3], 0, [n]));

        public void Dispose()
        {
            foreach (var tensor in _all)
            {
                tensor?.Release();
            }
        }
    }

    /// <summary>The step buffers for one batch size: the full buffers or leading-row views of them (which own nothing).</summary>
    private readonly record struct Batch(Tensor Hidden, Tensor HiddenGrad, Tensor Logits, Tensor RowLoss);
}
