using ILGPU.Runtime;

namespace GradientDescent;

public sealed partial class TwoLayerNet
{
    /// <summary>The kind written to and required from a model file.</summary>
    public const string ModelKind = nameof(TwoLayerNet);

    /// <summary>
    /// Saves the parameters to a <see cref="ModelFile"/> of kind <see cref="ModelKind"/>: arrays
    /// <c>w1</c> (inputs, hidden), <c>b1</c> (hidden), <c>w2</c> (hidden, classes), <c>b2</c> (classes),
    /// biases only when the network has them. The file is replaced atomically.
    /// </summary>
    /// <param name="path">The file; its folder must exist.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">Writing failed; any previous file is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    /// <exception cref="ObjectDisposedException">The network has been disposed.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var arrays = TwoLayerNetArrays.ToArrays(_parameters.ToArray(), Options, TwoLayerNetNames.Native);
        ModelFile.Save(path, arrays, ModelKind);
    }

    /// <summary>
    /// Loads a network saved by <see cref="Save"/>. Sizes and biases come from the file's shapes; the
    /// parameters are restored bit for bit, so predictions equal the saved network's on the same device.
    /// </summary>
    /// <param name="device">Where the parameters live.</param>
    /// <param name="path">The model file.</param>
    /// <param name="expected">When given, the sizes the caller needs: inputs, hidden, classes and whether biases are used must match it.</param>
    /// <returns>A network the caller owns; its <see cref="Options"/> give the sizes, with <see cref="WeightInit.Loaded"/> and no seed.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or the network differs from <paramref name="expected"/> (the message gives both).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// The file is corrupt or truncated (see <see cref="ModelFile.Load"/>), holds another kind of model, lacks
    /// w1 or w2, has only one bias, has unknown arrays, or has shapes that do not chain (the message names the arrays and shapes).
    /// </exception>
    public static TwoLayerNet Load(ComputeDevice device, string path, TwoLayerNetOptions? expected = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        var contents = ModelFile.Load(path);
        if (contents.Kind != ModelKind)
        {
            throw new InvalidDataFormatException(path, $"holds a '{contents.Kind}' model, not a {ModelKind}.");
        }

        var (options, flat) = TwoLayerNetArrays.FromArrays(path, contents.Arrays, TwoLayerNetNames.Native);
        if (expected is not null &&
            (expected.Inputs != options.Inputs || expected.Hidden != options.Hidden
             || expected.Classes != options.Classes || expected.UseBias != options.UseBias))
        {
            throw new ArgumentException(
                $"{path}: the saved network is {Describe(options)} but {Describe(expected)} was expected.", nameof(expected));
        }

        return FromParameters(device, options, flat);
    }

    private static string Describe(TwoLayerNetOptions o) =>
        $"{o.Inputs} → {o.Hidden} → {o.Classes} {(o.UseBias ? "with" : "without")} biases";
}
