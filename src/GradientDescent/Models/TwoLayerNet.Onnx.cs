namespace GradientDescent;

public sealed partial class TwoLayerNet
{
    /// <summary>
    /// Exports the network as an ONNX model (opset 13): <c>Gemm</c> (W1, b1), <c>Relu</c>, <c>Gemm</c> (W2, b2),
    /// and optionally <c>Softmax</c>; input <c>"input"</c> (batch, inputs), output <c>"logits"</c> or
    /// <c>"probabilities"</c> (batch, classes), float32. See <see cref="OnnxExport"/> for the graph; the file
    /// is replaced atomically.
    /// </summary>
    /// <param name="path">The file, conventionally <c>*.onnx</c>; its folder must exist.</param>
    /// <param name="softmax">Whether the model ends with a softmax over the classes.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or the weights exceed the 2 GiB a protobuf message holds.</exception>
    /// <exception cref="IOException">Writing failed; any previous file is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    /// <exception cref="ObjectDisposedException">The network has been disposed.</exception>
    public void ExportOnnx(string path, bool softmax = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var arrays = TwoLayerNetArrays.ToArrays(_parameters.ToArray(), Options, TwoLayerNetNames.Native);
        var (i, h, c) = (Options.Inputs, Options.Hidden, Options.Classes);
        float[]? b1 = Options.UseBias ? arrays[1].Data : null;
        float[]? b2 = Options.UseBias ? arrays[3].Data : null;
        DenseLayer[] layers =
        [
            new(arrays[0].Data, i, h, b1, DenseActivation.Relu),
            new(arrays[Options.UseBias ? 2 : 1].Data, h, c, b2),
        ];
        OnnxExport.Save(path, layers, softmax, graphName: nameof(TwoLayerNet));
    }
}
