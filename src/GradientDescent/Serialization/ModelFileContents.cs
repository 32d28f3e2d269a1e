namespace GradientDescent;

/// <summary>What <see cref="ModelFile.Load"/> read: the model kind, the format version and the named arrays.</summary>
public sealed class ModelFileContents
{
    private readonly string _path;

    internal ModelFileContents(string path, string kind, int version, IReadOnlyList<NamedArray> arrays)
    {
        _path = path;
        Kind = kind;
        Version = version;
        Arrays = arrays;
    }

    /// <summary>The model kind given when saving, for example "TwoLayerNet".</summary>
    public string Kind { get; }

    /// <summary>The format version the file was written with.</summary>
    public int Version { get; }

    /// <summary>The arrays in the order they were saved; names are unique.</summary>
    public IReadOnlyList<NamedArray> Arrays { get; }

    /// <summary>Finds an array by name (ordinal comparison).</summary>
    /// <param name="name">The array's name.</param>
    /// <returns>The array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">No array has that name; the message lists the names there are.</exception>
    public NamedArray Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var array in Arrays)
        {
            if (array.Name == name)
                return array;
        }

        string available = Arrays.Count == 0 ? "none" : string.Join(", ", Arrays.Select(a => $"'{a.Name}'"));
        throw new KeyNotFoundException($"{_path}: no array named '{name}'; available: {available}.");
    }
}
