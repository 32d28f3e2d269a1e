namespace GradientDescent;

/// <summary>
/// MNIST-style digits on the host, as read from an IDX images file and its labels file: <c>Count</c>
/// images of <c>ImageRows × ImageColumns</c> bytes (0 = background, 255 = ink) and one label in 0..9 each.
/// </summary>
/// <remarks>
/// <see cref="Slice"/> takes a range of examples without copying; <see cref="ToDevice"/> makes the
/// tensors a network trains on.
/// </remarks>
public sealed class MnistData
{
    private readonly ReadOnlyMemory<byte> _pixels;
    private readonly ReadOnlyMemory<byte> _labels;

    private MnistData(string source, ReadOnlyMemory<byte> pixels, ReadOnlyMemory<byte> labels, int imageRows, int imageColumns)
    {
        Source = source;
        _pixels = pixels;
        _labels = labels;
        ImageRows = imageRows;
        ImageColumns = imageColumns;
        Count = labels.Length;
    }

    /// <summary>Where the examples came from, for example <c>data/mnist-10k/mnist-10k-images-idx3-ubyte.gz [0, 8000)</c>.</summary>
    public string Source { get; }

    /// <summary>The number of examples.</summary>
    public int Count { get; }

    /// <summary>The height of each image in pixels (28 for MNIST).</summary>
    public int ImageRows { get; }

    /// <summary>The width of each image in pixels (28 for MNIST).</summary>
    public int ImageColumns { get; }

    /// <summary>The pixels per image, <c>ImageRows · ImageColumns</c> (784 for MNIST): the network's input size.</summary>
    public int Features => ImageRows * ImageColumns;

    /// <summary>The pixels, (Count, ImageRows, ImageColumns) row-major, one byte each.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels.Span;

    /// <summary>The labels, (Count), each in 0..9.</summary>
    public ReadOnlySpan<byte> Labels => _labels.Span;

    /// <summary>Reads an images file and its labels file (raw or gzip-compressed IDX).</summary>
    /// <param name="imagesPath">An IDX images file: magic 0x00000803, dimensions (count, rows, cols).</param>
    /// <param name="labelsPath">An IDX labels file: magic 0x00000801, dimensions (count), each label in 0..9.</param>
    /// <returns>The examples.</returns>
    /// <exception cref="ArgumentException">A path is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// A file is not valid IDX (or not an images / labels file), the counts differ, or a label is
    /// above 9 (the message names the file, the index and the value).
    /// </exception>
    public static MnistData Read(string imagesPath, string labelsPath)
    {
        // ReadImages and ReadLabels check the magic numbers, which fix the ranks: (count, rows, cols) and (count).
        var (images, labels) = IdxFile.ReadPair(imagesPath, labelsPath);
        var data = labels.Data;
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] >= Mnist.Classes)
            {
                throw new InvalidDataFormatException(labelsPath,
                    $"label {data[i]} at index {i} is not a digit 0..{Mnist.Classes - 1}.");
            }
        }

        return new MnistData($"{imagesPath} + {Path.GetFileName(labelsPath)}", images.Data, data, images.Dimensions[1], images.Dimensions[2]);
    }

    /// <summary>The examples <c>[start, start + count)</c>, sharing this object's memory (no copy).</summary>
    /// <param name="start">The first example.</param>
    /// <param name="count">How many, at least 1.</param>
    /// <returns>The slice; its <see cref="Source"/> names the range.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the examples.</exception>
    public MnistData Slice(int start, int count)
    {
        if (start < 0 || count < 1 || start > Count - count)
        {
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Examples [{start}, {start + count}) do not lie within the {Count} examples of {Source} (count must be at least 1).");
        }

        return new MnistData($"{Source} [{start}, {start + count})",
            _pixels.Slice(start * Features, count * Features), _labels.Slice(start, count), ImageRows, ImageColumns);
    }

    /// <summary>
    /// Copies the examples to a device: images as floats scaled to [0, 1] and reshaped to (Count, Features),
    /// like <c>tf.reshape(tf.cast(x, tf.float32) / 255, (-1, 784))</c>, and the labels as <see cref="GradientDescent.Labels"/>.
    /// </summary>
    /// <param name="device">Where the tensors live.</param>
    /// <returns>A set the caller owns and must dispose.</returns>
    /// <exception cref="ObjectDisposedException">The device has been disposed.</exception>
    public MnistSet ToDevice(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var images = Tensor.FromBytes(device, Pixels, [Count, Features], 1f / 255f);
        try
        {
            return new MnistSet(Source, images, GradientDescent.Labels.FromBytes(device, Labels, Mnist.Classes));
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }
}
