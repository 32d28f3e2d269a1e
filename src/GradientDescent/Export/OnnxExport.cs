
namespace GradientDescent;

/// <summary>
/// Writes networks as ONNX models (IR version 7, opset 13), so that a model trained here can serve
/// from ONNX Runtime or any other ONNX consumer.
/// </summary>
/// <remarks>
/// <para>
/// A chain of <see cref="DenseLayer"/>s becomes, per layer k, a <c>Gemm</c> node
/// (<c>input·layer{k}.weight + layer{k}.bias</c>, the weight an (inputs, outputs) initializer, the bias
/// omitted when the layer has none) followed by <c>Relu</c>, <c>Tanh</c> or <c>Sigmoid</c> when it has that
/// activation; optionally a <c>Softmax</c> over axis 1 ends the graph.
/// </para>
/// <para>
/// The graph's input is <c>"input"</c>, float32 of shape (batch, inputs) with the batch a symbolic
/// dimension named <c>"batch"</c>; its output is <c>"logits"</c>, or <c>"probabilities"</c> with the softmax,
/// float32 of shape (batch, outputs). The protobuf is written directly (weights as raw little-endian
/// float32), with producer name "GradientDescent"; saving is atomic, like <see cref="ModelFile.Save"/>.
/// </para>
/// </remarks>
public static class OnnxExport
{
    internal const int IrVersion = 7;
    internal const int OpsetVersion = 13;
    internal const string ProducerName = "GradientDescent";
    internal const string InputName = "input";
    internal const string BatchDimension = "batch";

    // Protobuf refuses messages of 2 GiB or more; leave room for everything besides the weights.
    private const long MaxWeightBytes = int.MaxValue - (1 << 20);

    /// <summary>Exports a chain of dense layers as an ONNX model.</summary>
    /// <param name="path">The target file, conventionally <c>*.onnx</c>; its folder must exist.</param>
    /// <param name="layers">The layers in order; each one's inputs equal the previous one's outputs.</param>
    /// <param name="softmax">Whether to end with a softmax, so the output is <c>"probabilities"</c> rather than <c>"logits"</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="layers"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is null or empty, <paramref name="layers"/> is empty, two consecutive layers
    /// do not chain (the message gives both shapes), or the weights exceed the 2 GiB a protobuf message holds.
    /// </exception>
    /// <exception cref="IOException">Writing, flushing or renaming failed; the previous file, if any, is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the existing file is not writable.</exception>
    public static void SaveDense(string path, IReadOnlyList<DenseLayer> layers, bool softmax = false) =>
        Save(path, layers, softmax, graphName: "dense");

    internal static void Save(string path, IReadOnlyList<DenseLayer> layers, bool softmax, string graphName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Check(layers);
        var model = Model(layers, softmax, graphName);
        AtomicFile.Write(path, model.WriteTo);
    }

    private static void Check(IReadOnlyList<DenseLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
            throw new ArgumentException("OnnxExport: at least one layer is needed.", nameof(layers));
        long weightBytes = 0;
        for (int k = 0; k < layers.Count; k++)
        {
            var layer = layers[k] ?? throw new ArgumentNullException(nameof(layers), $"layers[{k}] is null.");
            if (k > 0 && layer.Inputs != layers[k - 1].Outputs)
            {
                throw new ArgumentException(
                    $"OnnxExport: layer {k} takes {layer.Inputs} inputs but layer {k - 1} gives {layers[k - 1].Outputs} outputs "
                    + $"(layer {k - 1} is ({layers[k - 1].Inputs}, {layers[k - 1].Outputs}), layer {k} is ({layer.Inputs}, {layer.Outputs})).",
                    nameof(layers));
            }

            weightBytes += 4L * (layer.Weights.Length + (layer.Bias?.Length ?? 0));
        }

        if (weightBytes > MaxWeightBytes)
            throw new ArgumentException($"OnnxExport: the weights take {weightBytes} bytes, more than the 2 GiB a protobuf message holds.", nameof(layers));
    }

    // Field numbers are those of onnx.proto: ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto.
    private static ProtobufWriter Model(IReadOnlyList<DenseLayer> layers, bool softmax, string graphName)
    {
        string version = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return new ProtobufWriter()
            .Int64(1, IrVersion)                                   // ir_version
            .String(2, ProducerName)                               // producer_name
            .String(3, version)                                    // producer_version
            .Message(7, graph => Graph(graph, layers, softmax, graphName))
            .Message(8, opset => opset.Int64(2, OpsetVersion));   // opset_import: the default domain "", version 13
    }

    private static void Graph(ProtobufWriter graph, IReadOnlyList<DenseLayer> layers, bool softmax, string graphName)
    {
        string outputName = softmax ? "probabilities" : "logits";
        string current = InputName;
        for (int k = 0; k < layers.Count; k++)
        {
            var layer = layers[k];
            bool lastValue = k == layers.Count - 1 && !softmax;
            string weight = $"layer{k}.weight", bias = $"layer{k}.bias";
            string linear = lastValue && layer.Activation == DenseActivation.None ? outputName : $"layer{k}.linear";
            string[] inputs = layer.Bias is null ? [current, weight] : [current, weight, bias];
            Node(graph, "Gemm", $"layer{k}.Gemm", inputs, linear);
            current = linear;
            if (layer.Activation != DenseActivation.None)
            {
                string op = layer.Activation.ToString();
                string activated = lastValue ? outputName : $"layer{k}.{op.ToLowerInvariant()}";
                Node(graph, op, $"layer{k}.{op}", [current], activated);
                current = activated;
            }
        }

        if (softmax)
            Node(graph, "Softmax", "Softmax", [current], outputName, axis: 1);

        graph.String(2, graphName);                                // name
        for (int k = 0; k < layers.Count; k++)
        {
            var layer = layers[k];
            graph.Message(5, t => Initializer(t, $"layer{k}.weight", [layer.Inputs, layer.Outputs], layer.Weights));
            if (layer.Bias is not null)
                graph.Message(5, t => Initializer(t, $"layer{k}.bias", [layer.Outputs], layer.Bias));
        }

        graph.Message(11, value => Matrix(value, InputName, layers[0].Inputs));
        graph.Message(12, value => Matrix(value, outputName, layers[^1].Outputs));
    }

    private static void Node(ProtobufWriter graph, string op, string name, string[] inputs, string output, int? axis = null) =>
        graph.Message(1, node =>
        {
            foreach (string input in inputs)
                node.String(1, input);                             // input
            node.String(2, output).String(3, name).String(4, op); // output, name, op_type
            if (axis is int value)
            {
                // AttributeProto: name, i, type = INT (2).
                node.Message(5, attribute => attribute.String(1, "axis").Int64(3, value).Int64(20, 2));
            }
        });

    private static void Initializer(ProtobufWriter tensor, string name, int[] dims, float[] values)
    {
        foreach (int dim in dims)
            tensor.Int64(1, dim);                                  // dims
        tensor.Int64(2, 1).String(8, name).Floats(9, values);     // data_type FLOAT (1), name, raw_data
    }

    // ValueInfoProto of a float32 (batch, columns) tensor: TypeProto.tensor_type { elem_type, shape { dim, dim } }.
    private static void Matrix(ProtobufWriter value, string name, int columns) =>
        value.String(1, name).Message(2, type => type.Message(1, tensor => tensor
            .Int64(1, 1)
            .Message(2, shape => shape
                .Message(1, dim => dim.String(2, BatchDimension))
                .Message(1, dim => dim.Int64(1, columns)))));
}
