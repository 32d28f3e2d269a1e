using System.Collections.ObjectModel;

namespace GradientDescent;

/// <summary>What <see cref="Safetensors.Load"/> read: the tensors as float32 arrays and the file's free-form metadata.</summary>
public sealed class SafetensorsContents
{
    private readonly string _path;

    internal SafetensorsContents(string path, IReadOnlyList<NamedArray> arrays, IReadOnlyDictionary<string, string> metadata)
    {
        _path = path;
        Arrays = arrays;
        Metadata = metadata;
    }

    /// <summary>The tensors in the order of their data in the file; names are unique.</summary>
    /// <remarks>Tensors stored as F64, F16 or BF16 have been converted to float32.</remarks>
    public IReadOnlyList<NamedArray> Arrays { get; }

    /// <summary>The header's <c>__metadata__</c> map of strings; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Finds a tensor by name (ordinal comparison).</summary>
    /// <param name="name">The tensor's name, for example <c>"0.weight"</c>.</param>
    /// <returns>The array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message names the file and lists the names there are.</exception>
    public NamedArray Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var array in Arrays)
        {
            if (array.Name == name)
                return array;
        }

        string available = Arrays.Count == 0 ? "none" : string.Join(", ", Arrays.Select(a => $"'{a.Name}'"));
        throw new KeyNotFoundException($"{_path}: no tensor named '{name}'; available: {available}.");
    }

    internal static IReadOnlyDictionary<string, string> NoMetadata { get; } = ReadOnlyDictionary<string, string>.Empty;
}
