using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// <see cref="TwoLayerNet.TrainStep"/> on the ILGPU kernels (GPUs, and the CPU emulator): six launches with biases,
/// five without, where the unfused sequence takes thirteen and ten.
/// </summary>
/// <remarks>
/// <para>The launches, in order (docs/kernels.md has the reasons and the figures):</para>
/// <list type="number">
/// <item>H = relu(x·W1 + b1): the product with the bias and ReLU in its epilogue, into the hidden buffer, whose rows
/// are hidden + 1 floats rounded up to 4, the column after the hidden units holding 1.</item>
/// <item>The output layer, one group per row (<see cref="OutputLayerKernels"/>): logits, the loss and dlogits, dh =
/// (dlogits·W2ᵀ) ⊙ (H &gt; 0), and the mean loss.</item>
/// <item>[dW2; db2] = [H | 1]ᵀ·dlogits: one product, because b2 follows W2 in the gradient buffer and the column of
/// ones sums dlogits over the batch.</item>
/// <item>dW1 = xᵀ·dh.</item>
/// <item>db1 = the column sums of dh (with biases only).</item>
/// <item>The optimiser's one launch over every parameter.</item>
/// </list>
/// <para>
/// The products of depth 784 or of the batch may split k across groups (<see cref="GemmSplitK"/>) where their blocks
/// alone would leave the GPU's multiprocessors idle. The host SIMD path keeps the unfused sequence, as does a net
/// of more than <see cref="OutputLayerKernels.MaxClasses"/> classes.
/// </para>
/// </remarks>
public sealed partial class TwoLayerNet
{
    private FusedWorkspace? _fused;

    /// <summary>The products the fused step uses: <see cref="MatMulKernels.Variant.Auto"/> (blocked on GPUs,
    /// row-streaming on the CPU emulator), or forced, so that tests run the blocked GEMM on the emulator.</summary>
    internal MatMulKernels.Variant StepVariant { get; set; } = MatMulKernels.Variant.Auto;

    /// <summary>Groups the split-k plan aims at; 0 for the device's multiprocessors. Tests raise it to make the emulator split.</summary>
    internal int StepTargetGroups { get; set; }

    /// <summary>Whether <see cref="TrainStep"/> runs the fused sequence on this device.</summary>
    internal bool UsesFusedStep => !Device.UsesHostKernels && Options.Classes <= OutputLayerKernels.MaxClasses;

    private MatMulKernels.Variant ResolvedStepVariant =>
        StepVariant != MatMulKernels.Variant.Auto ? StepVariant
        : Device.IsCpu || Device.Accelerator.MaxNumThreadsPerGroup < GpuGemm.Threads ? MatMulKernels.Variant.RowStreaming
        : MatMulKernels.Variant.Blocked;

    private Tensor FusedStep(Tensor x, Labels labels, Optimizer optimizer)
    {
        int n = x.Shape[0];
        var variant = ResolvedStepVariant;
        int target = StepTargetGroups > 0 ? StepTargetGroups : Device.Accelerator.NumMultiprocessors;
        if (_fused is null || _fused.Capacity < n || _fused.Variant != variant || _fused.TargetGroups != target)
        {
            _fused?.Dispose();
            _fused = null;
            _fused = new FusedWorkspace(this, n, variant, target);
        }

        var ws = _fused;
        var (i, h, c) = (Options.Inputs, Options.Hidden, Options.Classes);
        bool bias = Options.UseBias;
        int ldh = ws.Ldh;
        var hidden = ws.Hidden.LeadingRows(n);
        var hiddenGrad = n == ws.Capacity ? ws.HiddenGrad : ws.HiddenGrad.LeadingRows(n);
        var dlogits = n == ws.Capacity ? ws.Logits : ws.Logits.LeadingRows(n);
        var rowLoss = n == ws.Capacity ? ws.RowLoss : Tensor.ViewOf(ws.RowLoss, 0, [n]);
        var split = variant == MatMulKernels.Variant.Blocked ? ws.SplitK : null;

        // 1. H = relu(x·W1 + b1), rows ldh apart.
        MatMulKernels.Product(x, false, W1, false, hidden, new GemmShape(n, h, i, i, 1, h, 1, ldh),
            new GemmOptions(B1, Relu: true, split), variant);
        NumericsCheck.Verify(nameof(TrainStep), hidden, "hidden activations relu(x·w1 + b1)");

        // 2. Logits, loss, dlogits, dh and the mean loss.
        OutputLayerKernels.Run(hidden, ldh, W2, B2, labels, dlogits, hiddenGrad, rowLoss, ws.Loss, ws.Counter, n, 1f / n);
        NumericsCheck.Verify(nameof(TrainStep), ws.Loss, "mean loss");

        // 3. [dW2; db2] = [H | 1]ᵀ·dlogits (without biases Hᵀ·dlogits): H read transposed, rows ldh apart.
        int outRows = bias ? h + 1 : h;
        var dw2 = Tensor.ViewOf(_gradients, i * h + (bias ? h : 0), [outRows, c]);
        MatMulKernels.Product(hidden, true, dlogits, false, dw2, new GemmShape(outRows, c, n, 1, ldh, c, 1, c), default, variant);

        // 4. dW1 = xᵀ·dh.
        MatMulKernels.Product(x, true, hiddenGrad, false, _gradientViews[0], new GemmShape(i, h, n, 1, i, h, 1, h),
            new GemmOptions(SplitK: split), variant);

        // 5. db1 = Σ over the batch of dh.
        if (bias)
        {
            ReductionKernels.ColumnSum(hiddenGrad, _gradientViews[1]);
        }

        VerifyEach(nameof(TrainStep), _gradientViews, "gradient of ");
        optimizer.Update(_parameters, _gradients);
        VerifyEach(nameof(TrainStep) + " update", Parameters, string.Empty);
        return ws.Loss;
    }

    /// <summary>
    /// The fused step's buffers for the largest batch seen (smaller batches use leading rows), all owned by the network:
    /// the padded hidden activations (its column of ones written once, here), dh, dlogits, row losses, the loss, the
    /// arrival counters (the output layer's, then one per block of a split product) and the split-k partial blocks.
    /// </summary>
    private sealed class FusedWorkspace : IDisposable
    {
        private readonly List<Tensor> _all = [];
        private readonly Tensor _counters;

        internal FusedWorkspace(TwoLayerNet owner, int capacity, MatMulKernels.Variant variant, int targetGroups)
        {
            var device = owner.Device;
            var (inputs, hidden, classes) = (owner.Options.Inputs, owner.Options.Hidden, owner.Options.Classes);
            bool bias = owner.Options.UseBias;
            (Capacity, Variant, TargetGroups) = (capacity, variant, targetGroups);
            Ldh = ((hidden + (bias ? 1 : 0) + 3) / 4) * 4;
            try
            {
                Hidden = Add(owner, [capacity, Ldh]);
                var initial = new float[capacity * Ldh];
                for (int r = 0; bias && r < capacity; r++)
                {
                    initial[(r * Ldh) + hidden] = 1f;
                }

                using (device.Lock())
                {
                    Hidden.View.CopyFromCPU(initial);
                }

                HiddenGrad = Add(owner, [capacity, hidden]);
                Logits = Add(owner, [capacity, classes]);
                RowLoss = Add(owner, [capacity]);
                Loss = Add(owner, []);
                int blocks = Math.Max(GpuGemm.Blocks(capacity, hidden), GpuGemm.Blocks(inputs, hidden));
                _counters = Add(owner, [1 + blocks]);
                using (device.Lock())
                {
                    _counters.View.MemSetToZero();
                }

                if (variant == MatMulKernels.Variant.Blocked)
                {
                    long partials = 1;
                    for (int rows = 1; rows <= capacity; rows++)
                    {
                        partials = Math.Max(partials, GemmSplitK.PartialsFor(rows, hidden, inputs, targetGroups));
                        partials = Math.Max(partials, GemmSplitK.PartialsFor(inputs, hidden, rows, targetGroups));
                    }

                    var counters = Tensor.ViewOf(_counters, 1, [blocks]);
                    SplitK = new GemmSplitK(Add(owner, [checked((int)partials)]), counters, targetGroups);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        internal int Capacity { get; }

        internal MatMulKernels.Variant Variant { get; }

        internal int TargetGroups { get; }

        /// <summary>Floats between rows of <see cref="Hidden"/>: hidden + 1 (the ones) rounded up to 4 for 128-bit access.</summary>
        internal int Ldh { get; }

        internal Tensor Hidden { get; } = null!;

        internal Tensor HiddenGrad { get; } = null!;

        internal Tensor Logits { get; } = null!;

        internal Tensor RowLoss { get; } = null!;

        internal Tensor Loss { get; } = null!;

        internal GemmSplitK? SplitK { get; }

        /// <summary>The output layer's arrival counter.</summary>
        internal ArrayView<int> Counter => _counters.View.Cast<int>().SubView(0, 1);

        public void Dispose()
        {
            foreach (var tensor in _all)
            {
                tensor.Release();
            }
        }

        private Tensor Add(TwoLayerNet owner, int[] shape)
        {
            var tensor = Tensor.Uninitialized(owner.Device, shape).OwnedBy(owner);
            _all.Add(tensor);
            return tensor;
        }
    }
}
