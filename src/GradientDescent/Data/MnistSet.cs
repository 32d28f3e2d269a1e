namespace GradientDescent;

/// <summary>MNIST examples on a device: images (Count, 784) with pixels in [0, 1], and their labels.</summary>
/// <remarks>Owns both: disposing the set frees them; disposing <see cref="Images"/> or <see cref="Labels"/> alone does nothing.</remarks>
public sealed class MnistSet : IDisposable
{
    internal MnistSet(string source, Tensor images, Labels labels)
    {
        Source = source;
        Images = images.OwnedBy(this);
        Labels = labels.OwnedBy(this);
    }

    /// <summary>Where the examples came from (file and range).</summary>
    public string Source { get; }

    /// <summary>The images, (Count, Features) (784 features for 28×28 digits), pixels scaled to [0, 1]; owned by this set.</summary>
    public Tensor Images { get; }

    /// <summary>One label 0..9 per image; owned by this set.</summary>
    public Labels Labels { get; }

    /// <summary>The number of examples.</summary>
    public int Count => Labels.Count;

    /// <summary>Names the set, for memory reports.</summary>
    /// <returns>The source and the count.</returns>
    public override string ToString() => $"MnistSet {Source} ({Count} examples)";

    /// <summary>Frees the images and labels; harmless to call twice.</summary>
    public void Dispose()
    {
        Images.Release();
        Labels.Release();
    }
}
