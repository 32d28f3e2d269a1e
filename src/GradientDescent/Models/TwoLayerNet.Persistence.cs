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
        var flat = _parameters.ToArray();
        var names = Options.UseBias ? new[] { "w1", "b1", "w2", "b2" } : ["w1", "w2"];
        var arrays = new NamedArray[names.Length];
        int offset = 0;
        for (int k = 0; k < names.Length; k++)
        {
            int[] shape = [.. _parameterViews[k].Shape];
            int length = _parameterViews[k].Length;
            arrays[k] = new NamedArray(names[k], shape, flat.AsSpan(offset, length).ToArray());
            offset += length;
        }

        ModelFile.Save(path, arrays, ModelKind);
    }

    /// <summary>
    /// Loads a network saved by <see cref="Save"/>. Sizes and biases come from the file's shapes; the
    /// parameters are restored bit for bit, so predictions equal the saved network's on the same device.
    /// </summary>
    /// <param name="device">Where the parameters live.</param>
    /// <param name="path">The model file.</param>
    /// <param name="expected">When given, the sizes the caller needs: inputs, hidden, classes and whether biases are used must match it.</param>
    /// <returns>A network the caller owns (its <see cref="Options"/> give the sizes; Init and Seed are defaults).</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or the network differs from <paramref name="expected"/> (the message gives both).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
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

        var options = ReadOptions(path, contents);
        if (expected is not null &&
            (expected.Inputs != options.Inputs || expected.Hidden != options.Hidden
             || expected.Classes != options.Classes || expected.UseBias != options.UseBias))
        {
            throw new ArgumentException(
                $"{path}: the saved network is {Describe(options)} but {Describe(expected)} was expected.", nameof(expected));
        }

        var net = new TwoLayerNet(device, options);
        try
        {
            var order = options.UseBias ? new[] { "w1", "b1", "w2", "b2" } : ["w1", "w2"];
            var flat = order.SelectMany(name => contents.Get(name).Data).ToArray();
            using (device.Lock())
            {
                net._parameters.View.CopyFromCPU(flat);
            }

            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    private static TwoLayerNetOptions ReadOptions(string path, ModelFileContents contents)
    {
        var byName = contents.Arrays.ToDictionary(a => a.Name, StringComparer.Ordinal);
        string Shapes() => string.Join(", ", contents.Arrays.Select(a => $"{a.Name} [{string.Join(", ", a.Shape)}]"));
        InvalidDataFormatException Bad(string problem) => new(path, $"{problem} (arrays: {Shapes()}).");

        if (!byName.TryGetValue("w1", out var w1) || !byName.TryGetValue("w2", out var w2))
        {
            throw Bad("a TwoLayerNet needs arrays 'w1' and 'w2'");
        }

        var unknown = byName.Keys.Except(["w1", "b1", "w2", "b2"]).ToList();
        if (unknown.Count > 0)
        {
            throw Bad($"unknown arrays {string.Join(", ", unknown.Select(n => $"'{n}'"))}");
        }

        bool hasB1 = byName.TryGetValue("b1", out var b1);
        bool hasB2 = byName.TryGetValue("b2", out var b2);
        if (hasB1 != hasB2)
        {
            throw Bad("both biases 'b1' and 'b2' or neither are needed");
        }

        if (w1.Shape.Length != 2 || w2.Shape.Length != 2 || w1.Shape.Contains(0) || w2.Shape.Contains(0))
        {
            throw Bad("'w1' and 'w2' must be non-empty matrices");
        }

        int inputs = w1.Shape[0], hidden = w1.Shape[1], classes = w2.Shape[1];
        if (w2.Shape[0] != hidden)
        {
            throw Bad($"'w2' must have {hidden} rows, one per hidden unit of 'w1'");
        }

        if (hasB1 && (!b1!.Shape.SequenceEqual([hidden]) || !b2!.Shape.SequenceEqual([classes])))
        {
            throw Bad($"'b1' must be [{hidden}] and 'b2' [{classes}]");
        }

        return new TwoLayerNetOptions { Inputs = inputs, Hidden = hidden, Classes = classes, UseBias = hasB1 };
    }

    private static string Describe(TwoLayerNetOptions o) =>
        $"{o.Inputs} → {o.Hidden} → {o.Classes} {(o.UseBias ? "with" : "without")} biases";
}
