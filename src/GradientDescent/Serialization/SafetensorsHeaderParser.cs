using System.Buffers;
using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace GradientDescent;

/// <summary>One tensor of a safetensors header, checked on its own; <see cref="SafetensorsReader"/> checks them together.</summary>
internal sealed record SafetensorsEntry(string Name, string DType, int[] Shape, long Begin, long End);

/// <summary>Walks the header's JSON with a forward-only reader, rejecting each departure from the format as it meets it.</summary>
internal ref struct SafetensorsHeaderParser(byte[] header, long bufferLength, string path)
{
    private Utf8JsonReader _json;

    public (List<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata) Parse()
    {
        if (!Utf8.IsValid(header))
            throw Fail($"the header is not valid UTF-8: the first bad byte is at offset {SafetensorsReader.LengthPrefix + FirstInvalidUtf8(header)}.");
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            string found = header.Length == 0 ? "the header is empty" : $"it begins with 0x{header[0]:X2}";
            throw Fail($"the header must begin with '{{' (0x7B), a JSON object, but {found}.");
        }

        _json = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            return ParseObject();
        }
        catch (JsonException e)
        {
            throw new InvalidDataFormatException(path, $"the header is not valid JSON: {e.Message}", e);
        }
    }

    private (List<SafetensorsEntry>, IReadOnlyDictionary<string, string>) ParseObject()
    {
        var entries = new List<SafetensorsEntry>();
        IReadOnlyDictionary<string, string> metadata = SafetensorsContents.NoMetadata;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Next(); // '{', checked above
        while (Next() == JsonTokenType.PropertyName)
        {
            string key = ReadString("a key of the header");
            if (!keys.Add(key))
                throw Fail($"the header repeats the key '{key}'; keys must be unique.");
            if (key == Safetensors.MetadataKey)
                metadata = ParseMetadata();
            else
                entries.Add(ParseEntry(key));
        }

        // The root object has ended: only whitespace may follow, and the reader throws on anything else.
        while (_json.Read())
        {
        }

        return (entries, metadata);
    }

    private ReadOnlyDictionary<string, string> ParseMetadata()
    {
        if (Next() != JsonTokenType.StartObject)
            throw Fail($"'{Safetensors.MetadataKey}' must be an object of strings but is {Describe(_json.TokenType)}.");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Next() == JsonTokenType.PropertyName)
        {
            string key = ReadString($"a key of '{Safetensors.MetadataKey}'");
            if (metadata.ContainsKey(key))
                throw Fail($"'{Safetensors.MetadataKey}' repeats the key '{key}'.");
            if (Next() != JsonTokenType.String)
                throw Fail($"the '{Safetensors.MetadataKey}' value of '{key}' is {Describe(_json.TokenType)}; every value must be a string.");
            metadata[key] = ReadString($"the '{Safetensors.MetadataKey}' value of '{key}'");
        }

        return metadata.AsReadOnly();
    }

    private SafetensorsEntry ParseEntry(string name)
    {
        if (name.Length == 0)
            throw Fail("a tensor has an empty name; this library needs every tensor to have a name.");
        if (Next() != JsonTokenType.StartObject)
            throw Fail($"tensor '{name}' must be an object with dtype, shape and data_offsets but is {Describe(_json.TokenType)}.");

        string? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        while (Next() == JsonTokenType.PropertyName)
        {
            string field = ReadString($"a field of tensor '{name}'");
            bool repeated = field switch
            {
                "dtype" => dtype is not null,
                "shape" => shape is not null,
                "data_offsets" => offsets is not null,
                _ => throw Fail($"tensor '{name}' has the unknown field '{field}'; only dtype, shape and data_offsets are allowed."),
            };
            if (repeated)
                throw Fail($"tensor '{name}' repeats the field '{field}'.");
            switch (field)
            {
                case "dtype":
                    dtype = ParseDType(name);
                    break;
                case "shape":
                    shape = ParseShape(name);
                    break;
                default:
                    offsets = ParseOffsets(name);
                    break;
            }
        }

        string missing = dtype is null ? "dtype" : shape is null ? "shape" : offsets is null ? "data_offsets" : "";
        if (missing.Length > 0)
            throw Fail($"tensor '{name}' lacks the field '{missing}'.");
        CheckSize(name, dtype!, shape!, offsets!);
        return new SafetensorsEntry(name, dtype!, shape!, offsets![0], offsets[1]);
    }

    private string ParseDType(string name)
    {
        if (Next() != JsonTokenType.String)
            throw Fail($"the dtype of tensor '{name}' is {Describe(_json.TokenType)}; it must be a string such as \"F32\".");
        string dtype = ReadString($"the dtype of tensor '{name}'");
        if (!SafetensorsDType.IsKnown(dtype))
            throw Fail($"tensor '{name}' has the unknown dtype '{dtype}'.");
        if (SafetensorsDType.ReadableSize(dtype) == 0)
            throw Fail($"tensor '{name}' has dtype {dtype}; this library reads only {SafetensorsDType.Readable} (as float32).");
        return dtype;
    }

    private int[] ParseShape(string name)
    {
        if (Next() != JsonTokenType.StartArray)
            throw Fail($"the shape of tensor '{name}' is {Describe(_json.TokenType)}; it must be an array of integers.");
        var shape = new List<int>();
        while (Next() != JsonTokenType.EndArray)
        {
            ulong dim = ReadInteger($"dimension {shape.Count} of tensor '{name}'");
            if (dim > int.MaxValue)
                throw Fail($"dimension {shape.Count} of tensor '{name}' is {dim}; this library holds dimensions up to {int.MaxValue}.");
            shape.Add((int)dim);
        }

        return [.. shape];
    }

    private long[] ParseOffsets(string name)
    {
        if (Next() != JsonTokenType.StartArray)
            throw Fail($"the data_offsets of tensor '{name}' are {Describe(_json.TokenType)}; they must be an array [begin, end].");
        var offsets = new List<ulong>(2);
        while (Next() != JsonTokenType.EndArray)
        {
            if (offsets.Count == 2)
                throw Fail($"the data_offsets of tensor '{name}' hold more than two numbers; they must be [begin, end].");
            offsets.Add(ReadInteger($"data_offsets[{offsets.Count}] of tensor '{name}'"));
        }

        if (offsets.Count != 2)
            throw Fail($"the data_offsets of tensor '{name}' hold {offsets.Count} numbers; they must be [begin, end].");
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin)
            throw Fail($"the data_offsets [{begin}, {end}] of tensor '{name}' are reversed: the end comes before the begin.");
        if (end > (ulong)bufferLength)
            throw Fail($"the data_offsets [{begin}, {end}] of tensor '{name}' run past the end of the {bufferLength}-byte data buffer.");
        return [(long)begin, (long)end];
    }

    private readonly void CheckSize(string name, string dtype, int[] shape, long[] offsets)
    {
        // Saturate: a product above the buffer's length cannot match, whatever its exact value.
        long elements = 1;
        foreach (int dim in shape)
            elements = Math.Min(elements * dim, bufferLength + 1);
        int size = SafetensorsDType.ReadableSize(dtype);
        long needed = elements * size;
        long held = offsets[1] - offsets[0];
        if (needed != held)
        {
            throw Fail($"tensor '{name}' of dtype {dtype} and shape [{string.Join(", ", shape)}] needs "
                + $"{(elements > bufferLength ? "more bytes than the file holds" : $"{needed} bytes")} but its data_offsets [{offsets[0]}, {offsets[1]}] hold {held}.");
        }

        if (elements > Array.MaxLength)
            throw Fail($"tensor '{name}' has {elements} elements, more than a .NET array holds.");
    }

    private ulong ReadInteger(string what)
    {
        if (_json.TokenType != JsonTokenType.Number)
            throw Fail($"{what} is {Describe(_json.TokenType)}; it must be a non-negative integer.");
        if (!_json.TryGetUInt64(out ulong value))
            throw Fail($"{what} is {Encoding.UTF8.GetString(_json.ValueSpan)}; it must be a non-negative integer.");
        return value;
    }

    private string ReadString(string what)
    {
        try
        {
            return _json.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // A \uD800-style escape of a lone surrogate is valid JSON syntax but no string.
            throw new InvalidDataFormatException(path, $"{what} is not a valid string: {e.Message}", e);
        }
    }

    private JsonTokenType Next()
    {
        if (!_json.Read())
            throw Fail("the header ends inside its JSON object.");
        return _json.TokenType;
    }

    private readonly InvalidDataFormatException Fail(string problem) => new(path, problem);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int at = 0;
        while (at < bytes.Length && Rune.DecodeFromUtf8(bytes[at..], out _, out int used) == OperationStatus.Done)
            at += used;
        return at;
    }
}
