using System.Buffers.Binary;
using System.IO.Compression;

namespace GradientDescent;

/// <summary>
/// Reads files in the IDX format used by MNIST, raw or gzip-compressed.
/// </summary>
/// <remarks>
/// Layout: two zero bytes, a type byte (only 0x08, unsigned byte, is supported), a rank byte, then
/// <c>rank</c> big-endian int32 dimensions, then the payload of product(dimensions) bytes and nothing
/// after it. Gzip is recognised by its magic bytes 0x1f 0x8b, never by the file name.
/// A header can claim any size, so nothing is allocated beyond what the file can actually supply:
/// raw payloads are checked against the remaining length first, and gzip payloads (whose length is
/// unknown until inflated) are read into a buffer that grows only as data arrives.
/// </remarks>
public static class IdxFile
{
    private const int UnsignedByteType = 0x08;
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    // A lying gzip header costs at most this much before the stream runs dry.
    private const int FirstGzipChunk = 1 << 16;

    /// <summary>Reads an IDX file of unsigned bytes with any rank.</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <returns>The dimensions and payload.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// The file is not valid IDX: a bad magic number or type byte, rank 0, a dimension that is not
    /// positive, more bytes than an array can hold, a truncated header or payload, trailing bytes,
    /// or a corrupt gzip stream.
    /// </exception>
    public static IdxData ReadBytes(string path) => ReadFile(path, null, null);

    /// <summary>Reads IDX data of unsigned bytes with any rank from the current position to the end of a stream.</summary>
    /// <param name="stream">A readable, seekable stream (seeking is used to look for the gzip magic); not disposed.</param>
    /// <param name="name">The name to use for the data in messages and in <see cref="IdxData.Path"/>.</param>
    /// <returns>The dimensions and payload.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot read or cannot seek.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="InvalidDataFormatException">The data is not valid IDX; see <see cref="ReadBytes(string)"/>.</exception>
    public static IdxData ReadBytes(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException(
                $"{name}: the stream must be readable and seekable (CanRead = {stream.CanRead}, CanSeek = {stream.CanSeek}).",
                nameof(stream));
        }

        return Read(stream, name, null, null);
    }

    /// <summary>Reads an MNIST-style images file: magic 0x00000803, dimensions (count, rows, cols).</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <returns>The dimensions (count, rows, cols) and the pixels, one byte each, image after image.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// The magic number is not 0x00000803 or the file is otherwise invalid; see <see cref="ReadBytes(string)"/>.
    /// </exception>
    public static IdxData ReadImages(string path) => ReadFile(path, ImagesMagic, "images");

    /// <summary>Reads an MNIST-style labels file: magic 0x00000801, dimensions (count).</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <returns>The dimension (count) and one byte per label; the values are not checked against any class count.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// The magic number is not 0x00000801 or the file is otherwise invalid; see <see cref="ReadBytes(string)"/>.
    /// </exception>
    public static IdxData ReadLabels(string path) => ReadFile(path, LabelsMagic, "labels");

    /// <summary>Reads an images file and its labels file and checks that they hold the same number of items.</summary>
    /// <param name="imagesPath">The images file; see <see cref="ReadImages"/>.</param>
    /// <param name="labelsPath">The labels file; see <see cref="ReadLabels"/>.</param>
    /// <returns>The images, (count, rows, cols), and the labels, (count).</returns>
    /// <exception cref="ArgumentException">A path is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// Either file is invalid, or the counts differ; a count mismatch names both files and both counts
    /// and has <see cref="InvalidDataFormatException.FilePath"/> set to <paramref name="labelsPath"/>.
    /// </exception>
    public static (IdxData Images, IdxData Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        int imageCount = images.Dimensions[0];
        int labelCount = labels.Dimensions[0];
        if (imageCount != labelCount)
        {
            throw new InvalidDataFormatException(
                labelsPath,
                $"holds {labelCount} labels but the images file {imagesPath} holds {imageCount} images; the counts must agree.");
        }

        return (images, labels);
    }

    private static IdxData ReadFile(string path, int? expectedMagic, string? kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = InputFile.OpenRead(path);
        return Read(stream, path, expectedMagic, kind);
    }

    private static IdxData Read(Stream stream, string name, int? expectedMagic, string? kind)
    {
        long start = stream.Position;
        Span<byte> first = stackalloc byte[2];
        int got = stream.ReadAtLeast(first, 2, throwOnEndOfStream: false);
        stream.Position = start;
        if (got < 2 || first[0] != 0x1f || first[1] != 0x8b)
            return Parse(stream, name, expectedMagic, kind, isRaw: true);

        try
        {
            using var inflated = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            return Parse(inflated, name, expectedMagic, kind, isRaw: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataFormatException(name, $"corrupt gzip stream: {e.Message}", e);
        }
    }

    private static IdxData Parse(Stream stream, string name, int? expectedMagic, string? kind, bool isRaw)
    {
        Span<byte> head = stackalloc byte[4];
        ReadHeader(stream, head, name, 0, 4);
        int magic = BinaryPrimitives.ReadInt32BigEndian(head);
        CheckMagic(magic, name, expectedMagic, kind);

        int rank = head[3];
        var dimBytes = new byte[4 * rank];
        ReadHeader(stream, dimBytes, name, 4, 4 + dimBytes.Length);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));

        int size = PayloadSize(dims, name);
        var data = isRaw ? ReadRaw(stream, size, dims, name) : ReadGrowing(stream, size, dims, name);
        return new IdxData(name, dims, data);
    }

    private static void CheckMagic(int magic, string name, int? expectedMagic, string? kind)
    {
        if ((magic & unchecked((int)0xFFFF0000)) != 0)
            throw new InvalidDataFormatException(name, $"not an IDX file: the magic number must start with two zero bytes but is 0x{magic:X8}.");
        if (expectedMagic is int expected && magic != expected)
            throw new InvalidDataFormatException(name, $"expected magic 0x{expected:X8} ({kind}) but found 0x{magic:X8}.");

        int type = (magic >> 8) & 0xFF;
        if (type != UnsignedByteType)
        {
            throw new InvalidDataFormatException(
                name,
                $"unsupported element type 0x{type:X2} ({TypeName(type)}) in magic 0x{magic:X8}; only 0x08 (unsigned byte) is supported.");
        }

        if ((magic & 0xFF) == 0)
            throw new InvalidDataFormatException(name, $"rank 0 in magic 0x{magic:X8}; an IDX array needs at least one dimension.");
    }

    private static string TypeName(int type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };

    private static void ReadHeader(Stream stream, Span<byte> into, string name, int offset, int headerLength)
    {
        int got = stream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
        if (got < into.Length)
        {
            throw new InvalidDataFormatException(
                name,
                $"truncated header: expected at least {headerLength} header bytes but the data ends after {offset + got}.");
        }
    }

    private static int PayloadSize(int[] dims, string name)
    {
        string shown = string.Join(", ", dims);
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] <= 0)
                throw new InvalidDataFormatException(name, $"dimension {i} of [{shown}] is {dims[i]}; every dimension must be positive.");
        }

        // Every factor is below 2^31 and the product is checked after each step, so it cannot overflow a long.
        long size = 1;
        foreach (int dim in dims)
        {
            size *= dim;
            if (size > Array.MaxLength)
                throw new InvalidDataFormatException(name, $"dimensions [{shown}] describe more than {Array.MaxLength} bytes, the largest array .NET can hold.");
        }

        return (int)size;
    }

    private static byte[] ReadRaw(Stream stream, int size, int[] dims, string name)
    {
        long remaining = stream.Length - stream.Position;
        if (remaining < size)
            throw Truncated(name, dims, size, remaining);
        if (remaining > size)
            throw new InvalidDataFormatException(name, $"{remaining - size} bytes of trailing data after the {size}-byte payload of dimensions [{string.Join(", ", dims)}].");

        var data = new byte[size];
        int got = stream.ReadAtLeast(data, size, throwOnEndOfStream: false);
        if (got < size)
            throw Truncated(name, dims, size, got);
        return data;
    }

    private static byte[] ReadGrowing(Stream stream, int size, int[] dims, string name)
    {
        var data = new byte[Math.Min(size, FirstGzipChunk)];
        int filled = 0;
        while (filled < size)
        {
            if (filled == data.Length)
                Array.Resize(ref data, (int)Math.Min(size, 2L * data.Length));
            int got = stream.Read(data, filled, data.Length - filled);
            if (got == 0)
                throw Truncated(name, dims, size, filled);
            filled += got;
        }

        // One probe byte is enough to know there is more; counting it all could mean inflating a bomb.
        if (stream.ReadByte() >= 0)
            throw new InvalidDataFormatException(name, $"trailing data after the {size}-byte payload of dimensions [{string.Join(", ", dims)}].");
        return data;
    }

    private static InvalidDataFormatException Truncated(string name, int[] dims, int size, long available) =>
        new(name, $"truncated payload: dimensions [{string.Join(", ", dims)}] need {size} bytes but only {available} are present.");
}
