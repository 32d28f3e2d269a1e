
namespace GradientDescent;

/// <summary>
/// The names a file gives a <see cref="TwoLayerNet"/>'s four parameters, and whether its weight matrices
/// are stored transposed, as (out, in) like PyTorch's <c>nn.Linear.weight</c>, rather than (in, out).
/// </summary>
internal sealed record TwoLayerNetNames(string W1, string B1, string W2, string B2, bool Transposed)
{
    /// <summary>This library's names: <c>w1</c> (inputs, hidden), <c>b1</c>, <c>w2</c> (hidden, classes), <c>b2</c>.</summary>
    public static TwoLayerNetNames Native { get; } = new("w1", "b1", "w2", "b2", Transposed: false);

    /// <summary>
    /// The state dict of <c>nn.Sequential(nn.Linear, nn.ReLU, nn.Linear)</c>: <c>0.weight</c> (hidden, inputs),
    /// <c>0.bias</c>, <c>2.weight</c> (classes, hidden), <c>2.bias</c>; the ReLU at index 1 has no parameters.
    /// </summary>
    public static TwoLayerNetNames PyTorchSequential { get; } = new("0.weight", "0.bias", "2.weight", "2.bias", Transposed: true);

    public string[] All => [W1, B1, W2, B2];
}

/// <summary>Converts between a net's flat parameter buffer (W1, b1, W2, b2) and named arrays in a file's layout.</summary>
internal static class TwoLayerNetArrays
{
    /// <summary>The parameters in <paramref name="flat"/> (ordered as <see cref="TwoLayerNet.Parameters"/>) as arrays named and shaped for <paramref name="names"/>.</summary>
    public static NamedArray[] ToArrays(float[] flat, TwoLayerNetOptions o, TwoLayerNetNames names)
    {
        var (i, h, c) = (o.Inputs, o.Hidden, o.Classes);
        var arrays = new List<NamedArray>(4);
        int at = 0;
        float[] Take(int length)
        {
            var part = flat.AsSpan(at, length).ToArray();
            at += length;
            return part;
        }

        arrays.Add(Weight(names.W1, Take(i * h), i, h, names.Transposed));
        if (o.UseBias)
            arrays.Add(new NamedArray(names.B1, [h], Take(h)));
        arrays.Add(Weight(names.W2, Take(h * c), h, c, names.Transposed));
        if (o.UseBias)
            arrays.Add(new NamedArray(names.B2, [c], Take(c)));
        return [.. arrays];
    }

    /// <summary>
    /// Checks that <paramref name="arrays"/> describe a TwoLayerNet in the layout <paramref name="names"/>
    /// and returns its sizes and its parameters as one flat buffer in the net's order, weights (in, out).
    /// Nothing is allocated on a device.
    /// </summary>
    /// <exception cref="InvalidDataFormatException">A weight is missing, a name is unknown, only one bias is present, or the shapes do not chain; the message names the arrays and their shapes.</exception>
    public static (TwoLayerNetOptions Options, float[] Flat) FromArrays(string path, IReadOnlyList<NamedArray> arrays, TwoLayerNetNames names)
    {
        var byName = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var array in arrays)
            byName[array.Name] = array;
        string Shapes() => string.Join(", ", arrays.Select(a => $"{a.Name} [{string.Join(", ", a.Shape)}]"));
        InvalidDataFormatException Bad(string problem) => new(path, $"{problem} (arrays: {Shapes()}).");

        if (!byName.TryGetValue(names.W1, out var w1) || !byName.TryGetValue(names.W2, out var w2))
            throw Bad($"a TwoLayerNet needs arrays '{names.W1}' and '{names.W2}'");

        var unknown = byName.Keys.Except(names.All).ToList();
        if (unknown.Count > 0)
            throw Bad($"unknown arrays {string.Join(", ", unknown.Select(n => $"'{n}'"))}");

        bool hasB1 = byName.TryGetValue(names.B1, out var b1);
        bool hasB2 = byName.TryGetValue(names.B2, out var b2);
        if (hasB1 != hasB2)
            throw Bad($"both biases '{names.B1}' and '{names.B2}' or neither are needed");

        if (w1.Shape.Length != 2 || w2.Shape.Length != 2 || w1.Shape.Contains(0) || w2.Shape.Contains(0))
            throw Bad($"'{names.W1}' and '{names.W2}' must be non-empty matrices");

        // Stored transposed, a weight's first axis is its outputs: read the sizes off the other axis.
        var (inAxis, outAxis) = names.Transposed ? (1, 0) : (0, 1);
        int inputs = w1.Shape[inAxis], hidden = w1.Shape[outAxis], classes = w2.Shape[outAxis];
        if (w2.Shape[inAxis] != hidden)
        {
            string axis = names.Transposed ? "columns" : "rows";
            throw Bad($"'{names.W2}' must have {hidden} {axis}, one per hidden unit of '{names.W1}'");
        }

        if (hasB1 && (!b1!.Shape.SequenceEqual([hidden]) || !b2!.Shape.SequenceEqual([classes])))
            throw Bad($"'{names.B1}' must be [{hidden}] and '{names.B2}' [{classes}]");

        var options = new TwoLayerNetOptions { Inputs = inputs, Hidden = hidden, Classes = classes, UseBias = hasB1 };
        float[] first = names.Transposed ? Transpose(w1.Data, hidden, inputs) : w1.Data;
        float[] second = names.Transposed ? Transpose(w2.Data, classes, hidden) : w2.Data;
        float[] flat = hasB1 ? [.. first, .. b1!.Data, .. second, .. b2!.Data] : [.. first, .. second];
        return (options, flat);
    }

    private static NamedArray Weight(string name, float[] data, int inputs, int outputs, bool transposed) =>
        transposed ? new NamedArray(name, [outputs, inputs], Transpose(data, inputs, outputs)) : new NamedArray(name, [inputs, outputs], data);

    /// <summary>The transpose of a (rows, columns) row-major matrix: (columns, rows).</summary>
    private static float[] Transpose(float[] data, int rows, int columns)
    {
        var result = new float[data.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                result[(c * rows) + r] = data[(r * columns) + c];
        }

        return result;
    }
}
