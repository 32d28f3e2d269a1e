
namespace GradientDescent.Tests;

/// <summary>The public safetensors readers the fuzz feeds, and what a successful load must satisfy.</summary>
internal static class SafetensorsFuzzLoaders
{
    public static FuzzLoader[] For(ComputeDevice device) =>
    [
        FuzzLoader.Create("Safetensors.Load", input => Safetensors.Load(input.Path), (_, contents) => CheckContents(contents)),
        FuzzLoader.Create("TwoLayerNet.LoadSafetensors", input => TwoLayerNet.LoadSafetensors(device, input.Path), CheckNet),
    ];

    private static string? CheckContents(SafetensorsContents contents)
    {
        foreach (var array in contents.Arrays)
        {
            long product = array.Shape.Aggregate(1L, (p, d) => p * d);
            if (array.Name.Length == 0 || array.Shape.Any(d => d < 0) || product != array.Data.Length)
                return $"tensor '{array.Name}' of shape [{string.Join(", ", array.Shape)}] holds {array.Data.Length} values";
        }

        int distinct = contents.Arrays.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count();
        return distinct == contents.Arrays.Count && contents.Metadata is not null ? null : "repeated tensor names";
    }

    // The net's sizes come from the weights' shapes, and its parameters are the file's tensors bit for bit,
    // transposed back from PyTorch's (out, in) when the file uses PyTorch's names.
    private static string? CheckNet(FuzzInput input, TwoLayerNet net)
    {
        var contents = Safetensors.Load(input.Path);
        bool pyTorch = contents.Arrays.Any(a => a.Name is "0.weight" or "2.weight");
        string[] names = pyTorch ? ["0.weight", "0.bias", "2.weight", "2.bias"] : ["w1", "b1", "w2", "b2"];
        var (w1, w2) = (contents.Get(names[0]), contents.Get(names[2]));
        var (inAxis, outAxis) = pyTorch ? (1, 0) : (0, 1);
        var o = net.Options;
        if ((o.Inputs, o.Hidden, o.Classes) != (w1.Shape[inAxis], w1.Shape[outAxis], w2.Shape[outAxis]))
            return $"net {o.Inputs} → {o.Hidden} → {o.Classes} from {names[0]} [{string.Join(", ", w1.Shape)}], {names[2]} [{string.Join(", ", w2.Shape)}]";

        float[] Weight(NamedArray w) => pyTorch ? Transposed(w) : w.Data;
        IEnumerable<float> saved = o.UseBias
            ? [.. Weight(w1), .. contents.Get(names[1]).Data, .. Weight(w2), .. contents.Get(names[3]).Data]
            : [.. Weight(w1), .. Weight(w2)];
        var loaded = net.Parameters.SelectMany(p => p.ToArray());
        return saved.Select(BitConverter.SingleToInt32Bits).SequenceEqual(loaded.Select(BitConverter.SingleToInt32Bits))
            ? null
            : "the parameters differ from the file's tensors";
    }

    private static float[] Transposed(NamedArray w)
    {
        int rows = w.Shape[0], columns = w.Shape[1];
        var result = new float[w.Data.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                result[(c * rows) + r] = w.Data[(r * columns) + c];
        }

        return result;
    }
}
