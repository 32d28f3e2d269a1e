
namespace GradientDescent;

public sealed partial class TwoLayerNet
{
    /// <summary>
    /// Saves the parameters as a safetensors file (F32 tensors) in <paramref name="layout"/>, so PyTorch can
    /// read them: with <see cref="SafetensorsLayout.PyTorchSequential"/>,
    /// <c>model.load_state_dict(safetensors.torch.load_file(path))</c> fills an
    /// <c>nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, classes))</c>. The file is
    /// replaced atomically.
    /// </summary>
    /// <param name="path">The file, conventionally <c>*.safetensors</c>; its folder must exist.</param>
    /// <param name="layout">
    /// <see cref="SafetensorsLayout.Native"/>: <c>w1</c> (inputs, hidden), <c>b1</c>, <c>w2</c> (hidden, classes), <c>b2</c>.
    /// <see cref="SafetensorsLayout.PyTorchSequential"/>: <c>0.weight</c> (hidden, inputs), <c>0.bias</c>,
    /// <c>2.weight</c> (classes, hidden), <c>2.bias</c>. Biases are written only when the network has them.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layout"/> is not a defined value.</exception>
    /// <exception cref="IOException">Writing failed; any previous file is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    /// <exception cref="ObjectDisposedException">The network has been disposed.</exception>
    public void SaveSafetensors(string path, SafetensorsLayout layout = SafetensorsLayout.Native)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var names = layout switch
        {
            SafetensorsLayout.Native => TwoLayerNetNames.Native,
            SafetensorsLayout.PyTorchSequential => TwoLayerNetNames.PyTorchSequential,
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Use SafetensorsLayout.Native or SafetensorsLayout.PyTorchSequential."),
        };
        Safetensors.Save(path, TwoLayerNetArrays.ToArrays(_parameters.ToArray(), Options, names));
    }

    /// <summary>
    /// Loads a network from a safetensors file in either layout of <see cref="SafetensorsLayout"/>, told
    /// apart by the tensor names; a PyTorch file's (out, in) weights are transposed back. Sizes and biases
    /// come from the shapes, and the values are restored bit for bit (F64, F16 and BF16 tensors are
    /// converted to float32). Everything is checked before any device memory is allocated.
    /// </summary>
    /// <param name="device">Where the parameters live.</param>
    /// <param name="path">The safetensors file.</param>
    /// <returns>A network the caller owns; its <see cref="Options"/> give the sizes, with <see cref="WeightInit.Loaded"/> and no seed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// The file is not valid safetensors (see <see cref="Safetensors.Load"/>); its names fit neither layout
    /// (or mix both); a weight is missing; a name is unknown; only one bias is present; or the shapes do
    /// not chain. The message names the arrays and their shapes.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The device has been disposed.</exception>
    public static TwoLayerNet LoadSafetensors(ComputeDevice device, string path)
    {
        ArgumentNullException.ThrowIfNull(device);
        var contents = Safetensors.Load(path);
        var (options, flat) = TwoLayerNetArrays.FromArrays(path, contents.Arrays, LayoutOf(path, contents.Arrays));
        return FromParameters(device, options, flat);
    }

    private static TwoLayerNetNames LayoutOf(string path, IReadOnlyList<NamedArray> arrays)
    {
        bool Uses(TwoLayerNetNames names) => arrays.Any(a => names.All.Contains(a.Name, StringComparer.Ordinal));
        bool native = Uses(TwoLayerNetNames.Native), pyTorch = Uses(TwoLayerNetNames.PyTorchSequential);
        if (native != pyTorch)
            return native ? TwoLayerNetNames.Native : TwoLayerNetNames.PyTorchSequential;

        string found = arrays.Count == 0 ? "no tensors" : string.Join(", ", arrays.Select(a => $"{a.Name} [{string.Join(", ", a.Shape)}]"));
        throw new InvalidDataFormatException(path, $"the tensor names fit {(native ? "both layouts at once" : "neither layout")}: a TwoLayerNet is "
            + "'w1', 'w2' (with 'b1', 'b2' or without) or PyTorch's '0.weight', '2.weight' (with '0.bias', '2.bias' or without), "
            + $"but the file holds {found}.");
    }
}
