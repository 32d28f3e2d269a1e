namespace GradientDescent;

/// <summary>
/// The tutorial's network: <c>logits = relu(x·W1 + b1)·W2 + b2</c>, inputs → hidden (ReLU) → classes,
/// 784 → 100 → 10 by default.
/// </summary>
/// <remarks>
/// <para>
/// Two ways to train it. With a <see cref="GradientTape"/>, exactly like the tutorial:
/// <c>tape.Gradient(net.Loss(x, y), net.Parameters)</c> then <see cref="Optimizer.Apply"/>. Or with
/// <see cref="TrainStep"/>, which runs the same forward and backward kernels into buffers it keeps, so a
/// step allocates nothing after the first and updates all parameters in one launch.
/// </para>
/// <para>All parameters live in one device buffer (and their gradients in another), in the order W1, b1, W2, b2.</para>
/// <para>
/// The network owns its parameters, gradients and step buffers: disposing <see cref="W1"/> or any other
/// tensor it hands out does nothing; disposing the network frees them all.
/// </para>
/// </remarks>
public sealed partial class TwoLayerNet : IDisposable
{
    private readonly Tensor _parameters;
    private readonly Tensor _gradients;
    private readonly Tensor[] _parameterViews;
    private readonly Tensor[] _gradientViews;
    private Workspace? _workspace;
    private bool _disposed;

    /// <summary>Creates the network with freshly initialised weights.</summary>
    /// <param name="device">Where the parameters live.</param>
    /// <param name="options">Sizes and initialisation; null for 784 → 100 → 10, biases, He init, seed 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1.</exception>
    /// <exception cref="ObjectDisposedException">The device has been disposed.</exception>
    public TwoLayerNet(ComputeDevice device, TwoLayerNetOptions? options = null)
        : this(device, Validated(options ?? new TwoLayerNetOptions()), initial: null)
    {
    }

    /// <summary>A network holding <paramref name="initial"/> (W1, b1, W2, b2, flat) exactly, or freshly initialised weights.</summary>
    private TwoLayerNet(ComputeDevice device, TwoLayerNetOptions options, float[]? initial)
    {
        ArgumentNullException.ThrowIfNull(device);
        Options = options;
        Device = device;
        var (i, h, c) = (Options.Inputs, Options.Hidden, Options.Classes);
        int[][] shapes = Options.UseBias ? [[i, h], [h], [h, c], [c]] : [[i, h], [h, c]];
        int total = (int)Options.ParameterCount;
        _parameters = Tensor.FromArray(device, initial ?? InitialValues(shapes, total), total).OwnedBy(this);
        try
        {
            _gradients = Tensor.Zeros(device, total).OwnedBy(this);
        }
        catch
        {
            _parameters.Release();
            throw;
        }

        _parameterViews = Slice(_parameters, shapes, trainable: true);
        _gradientViews = Slice(_gradients, shapes, trainable: false);
    }

    /// <summary>The device the parameters live on.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The sizes and initialisation this network was built with.</summary>
    public TwoLayerNetOptions Options { get; }

    /// <summary>First-layer weights, (inputs, hidden); trainable.</summary>
    public Tensor W1 => _parameterViews[0];

    /// <summary>First-layer bias, (hidden); null without biases.</summary>
    public Tensor? B1 => Options.UseBias ? _parameterViews[1] : null;

    /// <summary>Second-layer weights, (hidden, classes); trainable.</summary>
    public Tensor W2 => _parameterViews[Options.UseBias ? 2 : 1];

    /// <summary>Second-layer bias, (classes); null without biases.</summary>
    public Tensor? B2 => Options.UseBias ? _parameterViews[3] : null;

    /// <summary>The parameters in order W1, b1, W2, b2 (biases only when used); views owned by the network.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameterViews;

    /// <summary>The gradients the last <see cref="TrainStep"/> computed, shaped and ordered like <see cref="Parameters"/>.</summary>
    public IReadOnlyList<Tensor> Gradients => _gradientViews;

    /// <summary>The logits <c>relu(x·W1 + b1)·W2 + b2</c>.</summary>
    /// <param name="x">(n, inputs).</param>
    /// <returns>(n, classes); owned by the active tape, or by the caller when none is active.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not (n, inputs) or lives on another device.</exception>
    /// <exception cref="ObjectDisposedException">The network or <paramref name="x"/> has been disposed.</exception>
    public Tensor Forward(Tensor x)
    {
        CheckInput(x);
        // Disposing the intermediates frees them when the caller owns them and does nothing when a tape
        // does (it needs them for the backward pass), so one path serves both.
        using var z1 = Ops.MatMul(x, W1);
        using var h = B1 is null ? Ops.Relu(z1) : Ops.AddBiasRelu(z1, B1);
        if (B2 is null)
        {
            return Ops.MatMul(h, W2);
        }

        using var z2 = Ops.MatMul(h, W2);
        return Ops.AddBias(z2, B2);
    }

    /// <summary>The mean softmax cross-entropy of the batch, <c>mean(CE(Forward(x), labels))</c>.</summary>
    /// <param name="x">(n, inputs).</param>
    /// <param name="labels">n labels in <c>0..classes−1</c>.</param>
    /// <returns>A scalar; owned by the active tape, or by the caller when none is active.</returns>
    /// <exception cref="ArgumentException">The shapes or label counts do not match.</exception>
    /// <exception cref="ObjectDisposedException">The network, <paramref name="x"/> or the labels have been disposed.</exception>
    public Tensor Loss(Tensor x, Labels labels)
    {
        CheckInput(x);
        TensorChecks.Labels(nameof(Loss), Device, x.Shape[0], Options.Classes, labels);
        using var logits = Forward(x);
        using var perExample = Ops.SoftmaxCrossEntropy(logits, labels);
        return Ops.Mean(perExample);
    }

    /// <summary>The predicted class of each row: the argmax of the logits.</summary>
    /// <param name="x">(n, inputs).</param>
    /// <returns>n class indices.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not (n, inputs).</exception>
    /// <exception cref="ObjectDisposedException">The network or <paramref name="x"/> has been disposed.</exception>
    public int[] Predict(Tensor x)
    {
        CheckInput(x);
        using var scope = TensorScope.Isolated();
        return Ops.ArgMax(Forward(x));
    }

    /// <summary>The fraction of rows predicted correctly, computed <paramref name="chunkRows"/> rows at a time.</summary>
    /// <param name="x">(n, inputs).</param>
    /// <param name="labels">n labels.</param>
    /// <param name="chunkRows">Rows per forward pass, at least 1: bounds the device memory evaluation needs.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException">The shapes or label counts do not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is less than 1.</exception>
    /// <exception cref="ObjectDisposedException">The network, <paramref name="x"/> or the labels have been disposed.</exception>
    public double Accuracy(Tensor x, Labels labels, int chunkRows = 1000)
    {
        CheckInput(x, nameof(Accuracy));
        TensorChecks.Labels(nameof(Accuracy), Device, x.Shape[0], Options.Classes, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        int rows = x.Shape[0];
        long correct = 0;
        for (int start = 0; start < rows; start += chunkRows)
        {
            int count = Math.Min(chunkRows, rows - start);
            using var scope = TensorScope.Isolated();
            correct += Ops.CountCorrect(Forward(x.Rows(start, count)), labels.Slice(start, count));
        }

        return (double)correct / rows;
    }

    /// <summary>Names the network by its sizes, for memory reports.</summary>
    /// <returns>For example <c>TwoLayerNet 784→100→10</c>.</returns>
    public override string ToString() => $"TwoLayerNet {Options.Inputs}→{Options.Hidden}→{Options.Classes}";

    /// <summary>Frees the parameters, gradients and step buffers; harmless to call twice.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _workspace?.Dispose();
        _fused?.Dispose();
        _parameters.Release();
        _gradients.Release();
    }

    /// <summary>A network of <paramref name="options"/> holding <paramref name="parameters"/> (W1, b1, W2, b2, flat), as read from a file.</summary>
    internal static TwoLayerNet FromParameters(ComputeDevice device, TwoLayerNetOptions options, float[] parameters) =>
        new(device, new TwoLayerNetOptions
        {
            Inputs = options.Inputs, Hidden = options.Hidden, Classes = options.Classes, UseBias = options.UseBias,
            Init = WeightInit.Loaded, Seed = null,
        }, parameters);

    private static TwoLayerNetOptions Validated(TwoLayerNetOptions options)
    {
        options.Validate();
        return options;
    }

    /// <summary>Checks that <paramref name="x"/> is a live (n, inputs) matrix on this network's device; messages name <paramref name="op"/> and <paramref name="name"/>.</summary>
    internal void CheckInput(Tensor x, string op = nameof(TwoLayerNet), string name = "x")
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        TensorChecks.Rank(op, x, name, 2);
        TensorChecks.SameDevice(op, x, _parameters);
        if (x.Shape[1] != Options.Inputs)
        {
            throw new ArgumentException(
                $"{op}: {name} has shape {x.ShapeText} but the network takes (n, {Options.Inputs}); reshape images to (n, {Options.Inputs}) first.",
                name);
        }
    }

    private float[] InitialValues(int[][] shapes, int total)
    {
        var values = new float[total];
        var sampler = new NormalSampler(Options.Seed ?? 0);
        int offset = 0;
        foreach (var shape in shapes)
        {
            int length = ShapeMath.Product(shape);
            if (shape.Length == 2)
            {
                double std = Options.Init == WeightInit.He ? Math.Sqrt(2.0 / shape[0]) : 1e-4;
                for (int k = 0; k < length; k++)
                {
                    values[offset + k] = (float)(std * sampler.Next());
                }
            }

            offset += length;
        }

        return values;
    }

    private Tensor[] Slice(Tensor buffer, int[][] shapes, bool trainable)
    {
        var views = new Tensor[shapes.Length];
        int offset = 0;
        for (int k = 0; k < shapes.Length; k++)
        {
            views[k] = Tensor.ViewOf(buffer, offset, shapes[k]).OwnedBy(this);
            views[k].IsTrainable = trainable;
            offset += ShapeMath.Product(shapes[k]);
        }

        return views;
    }
}
