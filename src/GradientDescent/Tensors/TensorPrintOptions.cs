namespace GradientDescent;

/// <summary>
/// How <see cref="Tensor.ToString(TensorPrintOptions)"/> previews a tensor, in the spirit of NumPy's
/// <c>set_printoptions</c> (precision, edge items) that TensorFlow's preview follows.
/// </summary>
public sealed record TensorPrintOptions
{
    private readonly int _edgeItems = 3;
    private readonly int _precision = 6;

    /// <summary>The preview <see cref="Tensor.ToString()"/> uses: 3 edge items, 6 significant digits.</summary>
    public static TensorPrintOptions Default { get; } = new();

    /// <summary>Rows and columns shown at each end of a dimension longer than twice this; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int EdgeItems
    {
        get => _edgeItems;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(EdgeItems));
            _edgeItems = value;
        }
    }

    /// <summary>Significant digits of each value, 1 to 9 (9 shows every float32 exactly).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside 1 to 9.</exception>
    public int Precision
    {
        get => _precision;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Precision));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 9, nameof(Precision));
            _precision = value;
        }
    }

    /// <summary>Whether every element is shown, however large the tensor (copies it all to the host).</summary>
    public bool ShowAll { get; init; }
}
