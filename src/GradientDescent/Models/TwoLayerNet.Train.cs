namespace GradientDescent;

public sealed partial class TwoLayerNet
{
    /// <summary>
    /// One step of gradient descent on a batch: forward, mean softmax cross-entropy, backward, and
    /// <c>p −= lr·dp</c> for every parameter. Same kernels as the tape path, fused where it pays
    /// (bias + ReLU, softmax + loss + gradient, one SGD launch for all parameters), into buffers the
    /// network keeps: after the first call with the largest batch, a step allocates nothing.
    /// </summary>
    /// <param name="x">(n, inputs).</param>
    /// <param name="labels">n labels in <c>0..classes−1</c>.</param>
    /// <param name="sgd">The update rule.</param>
    /// <returns>
    /// The batch's mean loss before the update, a scalar owned by the network and overwritten by the next
    /// step; read it with <see cref="Tensor.Item"/> (which waits for the device) only when needed.
    /// </returns>
    /// <exception cref="ArgumentException">The shapes or label counts do not match.</exception>
    /// <exception cref="ObjectDisposedException">The network, <paramref name="x"/> or the labels have been disposed.</exception>
    public Tensor TrainStep(Tensor x, Labels labels, SgdStep sgd)
    {
        ArgumentNullException.ThrowIfNull(sgd);
        CheckInput(x);
        OpChecks.Labels(nameof(TrainStep), Device, x.Shape[0], Options.Classes, labels);
        int n = x.Shape[0];
        if (_workspace is null || _workspace.Capacity < n)
        {
            _workspace?.Dispose();
            _workspace = new Workspace(Device, n, Options.Hidden, Options.Classes);
        }

        using var ws = _workspace.For(n);
        var (w1, b1, w2, b2) = (W1, B1, W2, B2);
        var grads = _gradientViews;
        var (dw1, db1, dw2, db2) = Options.UseBias
            ? (grads[0], grads[1], grads[2], grads[3])
            : (grads[0], null, grads[1], null);

        // Forward: h = relu(x·W1 + b1), logits = h·W2 + b2 (bias ops in place).
        Kernels.MatMul.Forward(x, false, w1, false, ws.Hidden);
        Kernels.BiasRelu.Forward(ws.Hidden, b1, ws.Hidden, relu: true);
        NumericsCheck.Verify(nameof(TrainStep), ws.Hidden, "hidden activations relu(x·w1 + b1)");
        Kernels.MatMul.Forward(ws.Hidden, false, w2, false, ws.Logits);
        if (b2 is not null)
        {
            Kernels.BiasRelu.Forward(ws.Logits, b2, ws.Logits, relu: false);
        }

        NumericsCheck.Verify(nameof(TrainStep), ws.Logits, "logits h·w2 + b2");

        // Loss and dlogits = (softmax − onehot) / n in one pass; then the mean.
        Kernels.SoftmaxCrossEntropy.Sparse(ws.Logits, labels, ws.RowLoss, ws.Logits, 1f / n);
        Kernels.Reductions.Total(ws.RowLoss, _workspace.Loss, 1f / n);
        NumericsCheck.Verify(nameof(TrainStep), _workspace.Loss, "mean loss");

        // Backward (ws.Logits now holds dlogits).
        Kernels.MatMul.Forward(ws.Hidden, true, ws.Logits, false, dw2);
        if (db2 is not null)
        {
            Kernels.Reductions.ColumnSum(ws.Logits, db2);
        }

        Kernels.MatMul.Forward(ws.Logits, false, w2, true, ws.HiddenGrad);
        Kernels.BiasRelu.ReluBackward(ws.HiddenGrad, ws.Hidden, ws.HiddenGrad);
        Kernels.MatMul.Forward(x, true, ws.HiddenGrad, false, dw1);
        if (db1 is not null)
        {
            Kernels.Reductions.ColumnSum(ws.HiddenGrad, db1);
        }

        VerifyEach(nameof(TrainStep), grads, "gradient of ");
        sgd.ApplyFlat(_parameters, _gradients);
        VerifyEach(nameof(TrainStep) + " update", Parameters, string.Empty);
        return _workspace.Loss;
    }

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

    /// <summary>Step buffers sized for the largest batch seen; smaller batches use leading rows.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly Tensor _hidden;
        private readonly Tensor _hiddenGrad;
        private readonly Tensor _logits;
        private readonly Tensor _rowLoss;

        internal Workspace(ComputeDevice device, int capacity, int hidden, int classes)
        {
            Capacity = capacity;
            _hidden = Tensor.Uninitialized(device, [capacity, hidden]);
            _hiddenGrad = Tensor.Uninitialized(device, [capacity, hidden]);
            _logits = Tensor.Uninitialized(device, [capacity, classes]);
            _rowLoss = Tensor.Uninitialized(device, [capacity]);
            Loss = Tensor.Uninitialized(device, []);
        }

        internal int Capacity { get; }

        internal Tensor Loss { get; }

        internal Batch For(int n) => n == Capacity
            ? new Batch(_hidden, _hiddenGrad, _logits, _rowLoss, owned: false)
            : new Batch(_hidden.Rows(0, n), _hiddenGrad.Rows(0, n), _logits.Rows(0, n), Tensor.ViewOf(_rowLoss, 0, [n]), owned: true);

        public void Dispose()
        {
            _hidden.Dispose();
            _hiddenGrad.Dispose();
            _logits.Dispose();
            _rowLoss.Dispose();
            Loss.Dispose();
        }
    }

    /// <summary>The step buffers for one batch size: the full buffers or leading-row views of them.</summary>
    private readonly record struct Batch(Tensor Hidden, Tensor HiddenGrad, Tensor Logits, Tensor RowLoss, bool owned) : IDisposable
    {
        // Views own no memory; disposing them only marks them unusable.
        public void Dispose()
        {
            if (owned)
            {
                Hidden.Dispose();
                HiddenGrad.Dispose();
                Logits.Dispose();
                RowLoss.Dispose();
            }
        }
    }
}
