using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace GradientDescent;

/// <summary>
/// Saves and loads named float32 arrays in the safetensors format that PyTorch and Hugging Face use,
/// so a model's weights can leave this library (<c>safetensors.torch.load_file</c>) or come in from it.
/// </summary>
/// <remarks>
/// <para>
/// Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON, an object mapping
/// each tensor name to <c>{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}</c> plus an
/// optional <c>"__metadata__"</c> object of strings, padded with spaces; then the byte buffer, in which
/// each tensor's little-endian row-major elements occupy <c>[begin, end)</c>.
/// </para>
/// <para>
/// The writer does what the reference implementation does, so the bytes equal those of
/// <c>safetensors.torch.save_file</c> for the same float32 tensors and at most one metadata entry:
/// tensors sorted by name (UTF-8 byte order), packed from offset 0, the JSON without spaces, the header
/// padded with spaces to a multiple of 8 bytes. Metadata entries are sorted by key (the reference
/// writes them in hash order). Saving is atomic, like <see cref="ModelFile.Save"/>.
/// </para>
/// </remarks>
public static class Safetensors
{
    /// <summary>The largest header either side accepts: the reference implementation's limit, 100,000,000 bytes.</summary>
    internal const int MaxHeaderLength = 100_000_000;

    /// <summary>The header key reserved for the file's metadata; no tensor may have this name.</summary>
    internal const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="arrays"/> as F32 tensors to <paramref name="path"/>, replacing any existing file atomically.</summary>
    /// <param name="path">The target file, conventionally <c>*.safetensors</c>; its folder must exist.</param>
    /// <param name="arrays">The tensors, with unique names; each array's shape (any rank, 0 for a scalar) is kept.</param>
    /// <param name="metadata">Free-form strings for the header's <c>__metadata__</c>; null or empty for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="arrays"/>, one of its elements, or a metadata key or value is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is null or empty; two arrays share a name; an array is named <c>__metadata__</c>;
    /// a name, key or value is not valid UTF-16 (a lone surrogate); an array's shape no longer matches its data;
    /// or the header would exceed 100,000,000 bytes (the reference implementation's limit).
    /// </exception>
    /// <exception cref="IOException">Writing, flushing or renaming failed; the previous file, if any, is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the existing file is not writable.</exception>
    public static void Save(string path, IReadOnlyList<NamedArray> arrays, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arrays);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var keyed = new List<(byte[] Name, NamedArray Array)>(arrays.Count);
        for (int i = 0; i < arrays.Count; i++)
        {
            var array = arrays[i] ?? throw new ArgumentNullException(nameof(arrays), $"arrays[{i}] is null.");
            if (!names.Add(array.Name))
                throw new ArgumentException($"Two arrays are named '{array.Name}'; names must be unique.", nameof(arrays));
            if (array.Name == MetadataKey)
                throw new ArgumentException($"No array may be named '{MetadataKey}': safetensors reserves that key for metadata.", nameof(arrays));
            NamedArray.CheckConsistent(array.Name, array.Shape, array.Data, nameof(arrays));
            keyed.Add((Utf8(array.Name, nameof(arrays)), array));
        }

        var sorted = keyed.OrderBy(k => k.Name, ByteOrder.Instance).Select(k => k.Array).ToList();
        byte[] header = Header(sorted, metadata);
        if (header.Length > MaxHeaderLength)
            throw new ArgumentException($"The header would be {header.Length} bytes, above the format's limit of {MaxHeaderLength}; save fewer tensors.", nameof(arrays));
        AtomicFile.Write(path, file => Write(file, header, sorted));
    }

    /// <summary>Reads a safetensors file, checking every rule of the format before it allocates the tensors.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors as float32 arrays, in the order of their data, and the metadata.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// The file is not valid safetensors, or holds what this library cannot represent. The format's rules:
    /// a file shorter than 8 bytes; a header length above 100,000,000 bytes (the reference implementation's limit) or beyond the file;
    /// a header that is not UTF-8, does not begin with <c>{</c>, or is not one JSON object (trailing spaces
    /// allowed); a repeated key; a tensor entry that is not an object of exactly <c>dtype</c>, <c>shape</c>
    /// and <c>data_offsets</c>; an unknown dtype; a dimension or offset that is not a non-negative integer;
    /// <c>data_offsets</c> that are not two, are reversed or run past the buffer; a byte count other than
    /// the shape's product times the dtype's size; tensors that overlap, leave a hole, or leave bytes after
    /// the last one; <c>__metadata__</c> that is not an object of strings. This library's limits: dtypes
    /// other than F32, F64, F16 and BF16; an empty tensor name; a dimension above 2^31 − 1 or more elements
    /// than a .NET array holds. The message starts with the path and names the tensor and the value.
    /// </exception>
    public static SafetensorsContents Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = InputFile.OpenRead(path);
        return new SafetensorsReader(file, path).ReadAll();
    }

    /// <summary>The header bytes, padded with spaces to a multiple of 8: the JSON the reference writer produces.</summary>
    private static byte[] Header(List<NamedArray> sorted, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder("{");
        if (metadata is { Count: > 0 })
        {
            json.Append('"').Append(MetadataKey).Append("\":{");
            var entries = new List<(byte[] Utf8Key, string Key, string Value)>(metadata.Count);
            foreach (var (key, value) in metadata)
            {
                ArgumentNullException.ThrowIfNull(key, nameof(metadata));
                if (value is null)
                    throw new ArgumentNullException(nameof(metadata), $"The metadata value of '{key}' is null.");
                Utf8(value, nameof(metadata));
                entries.Add((Utf8(key, nameof(metadata)), key, value));
            }

            bool first = true;
            foreach (var (_, key, value) in entries.OrderBy(e => e.Utf8Key, ByteOrder.Instance))
            {
                json.Append(first ? "" : ",");
                AppendString(json, key).Append(':');
                AppendString(json, value);
                first = false;
            }

            json.Append('}').Append(sorted.Count > 0 ? "," : "");
        }

        long offset = 0;
        for (int i = 0; i < sorted.Count; i++)
        {
            var array = sorted[i];
            long end = offset + (4L * array.Data.Length);
            AppendString(json.Append(i == 0 ? "" : ","), array.Name).Append(":{\"dtype\":\"").Append(SafetensorsDType.Float32)
                .Append("\",\"shape\":[").AppendJoin(',', array.Shape).Append("],\"data_offsets\":[")
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',').Append(end.ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset = end;
        }

        json.Append('}');
        int length = StrictUtf8.GetByteCount(json.ToString());
        json.Append(' ', ((length + 7) / 8 * 8) - length);
        return StrictUtf8.GetBytes(json.ToString());
    }

    // JSON string escaping as serde_json (the reference writer) does it: quote, backslash and the control
    // characters, with the short forms where JSON has them and lowercase \u00xx otherwise; all else raw.
    private static StringBuilder AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            _ = c switch
            {
                '"' => json.Append("\\\""),
                '\\' => json.Append("\\\\"),
                '\b' => json.Append("\\b"),
                '\f' => json.Append("\\f"),
                '\n' => json.Append("\\n"),
                '\r' => json.Append("\\r"),
                '\t' => json.Append("\\t"),
                < ' ' => json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ => json.Append(c),
            };
        }

        return json.Append('"');
    }

    private static void Write(FileStream file, byte[] header, List<NamedArray> sorted)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        file.Write(length);
        file.Write(header);
        foreach (var array in sorted)
        {
            if (BitConverter.IsLittleEndian)
            {
                file.Write(MemoryMarshal.AsBytes(array.Data.AsSpan()));
            }
            else
            {
                var swapped = new int[array.Data.Length];
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(array.Data.AsSpan()), swapped);
                file.Write(MemoryMarshal.AsBytes(swapped.AsSpan()));
            }
        }
    }

    private static byte[] Utf8(string value, string paramName)
    {
        try
        {
            return StrictUtf8.GetBytes(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"'{value}' is not valid UTF-16 (it holds a lone surrogate), so it has no UTF-8 form.", paramName, e);
        }
    }

    /// <summary>Orders UTF-8 strings byte by byte, as Rust orders its strings.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
