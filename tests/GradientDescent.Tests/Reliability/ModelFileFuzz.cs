using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace GradientDescent.Tests;

/// <summary>
/// The model-file side of the fuzz: where the header fields of a saved file are, and structural
/// mutations (renamed, reshaped, dropped or repeated arrays, other kinds and versions) written back
/// with a valid checksum, so they reach the checks behind the checksum, including TwoLayerNet's own.
/// </summary>
/// <remarks>
/// The layout follows the format documented on <see cref="ModelFile"/>: magic, uint32 version, kind
/// string, int32 count, per array a name string, int32 rank, the dimensions and the float32 data, then
/// the SHA-256 of everything before it. Strings are an int32 byte count and UTF-8 bytes.
/// </remarks>
internal static class ModelFileFuzz
{
    private const int ChecksumLength = 32;

    private sealed record Entry(byte[] Name, int[] Shape, float[] Data);

    /// <summary>Every integer field of a valid model file, found by walking it.</summary>
    public static FuzzTemplate Template(byte[] bytes)
    {
        var fields = new List<HeaderField> { Int32("first half of the magic", bytes, 0), Int32("format version", bytes, 8) };
        int at = 12;
        at = StringField("kind", bytes, at, fields);
        var count = Int32("array count", bytes, at);
        fields.Add(count);
        at += 4;
        for (int i = 0; i < count.Value; i++)
        {
            at = StringField($"name of array {i}", bytes, at, fields);
            var rank = Int32($"rank of array {i}", bytes, at);
            fields.Add(rank);
            at += 4;
            var dims = Enumerable.Range(0, rank.Value).Select(d => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + (4 * d)))).ToArray();
            long elements = dims.Aggregate(1L, (product, dim) => product * dim);
            for (int d = 0; d < rank.Value; d++)
                fields.Add(Int32($"dimension {d} of array {i}", bytes, at + (4 * d)) with { Cofactor = elements / dims[d] });
            at += (4 * rank.Value) + (4 * (int)elements);
        }

        fields.Add(Int32("first word of the checksum", bytes, at));
        return new FuzzTemplate("model file", bytes, fields);
    }

    /// <summary>Recomputes the trailing checksum, so a corruption is judged by the checks behind it.</summary>
    public static CorruptFile Resign(CorruptFile file)
    {
        if (file.Bytes.Length < ChecksumLength)
            return file;
        var bytes = (byte[])file.Bytes.Clone();
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - ChecksumLength)).CopyTo(bytes.AsSpan(bytes.Length - ChecksumLength));
        return new CorruptFile(bytes, $"{file.Description}, checksum recomputed");
    }

    /// <summary>One structural mutation of <paramref name="valid"/>, which must be a TwoLayerNet with biases.</summary>
    public static CorruptFile Mutate(ModelFileContents valid, Random random)
    {
        var arrays = valid.Arrays.Select(a => new Entry(Encoding.UTF8.GetBytes(a.Name), a.Shape, a.Data)).ToList();
        byte[] kind = Encoding.UTF8.GetBytes(valid.Kind);
        uint version = (uint)valid.Version;
        int k = random.Next(arrays.Count);
        string name = Encoding.UTF8.GetString(arrays[k].Name);
        string what;
        switch (random.Next(7))
        {
            case 0:
                byte[][] names = [[], [.. "w3"u8], [.. "W1"u8], [0xFF, 0xFE], [.. "w1\0"u8], Enumerable.Repeat((byte)'x', 300).ToArray(), arrays[(k + 1) % arrays.Count].Name];
                arrays[k] = arrays[k] with { Name = names[random.Next(names.Length)] };
                what = $"array '{name}' renamed to bytes [{Convert.ToHexString(arrays[k].Name)}]";
                break;
            case 1:
                arrays[k] = Reshape(arrays[k], random);
                what = $"array '{name}' reshaped to [{string.Join(", ", arrays[k].Shape)}]";
                break;
            case 2:
                arrays.RemoveAt(k);
                what = $"array '{name}' dropped";
                break;
            case 3:
                arrays.Insert(random.Next(arrays.Count + 1), arrays[k]);
                what = $"array '{name}' repeated";
                break;
            case 4:
                byte[][] kinds = [[], [.. "ConvNet"u8], [.. "twolayernet"u8], [0xC3, 0x28]];
                kind = kinds[random.Next(kinds.Length)];
                what = $"kind set to bytes [{Convert.ToHexString(kind)}]";
                break;
            case 5:
                uint[] versions = [0, 2, uint.MaxValue];
                version = versions[random.Next(versions.Length)];
                what = $"version set to {version}";
                break;
            default:
                int hidden = random.Next(1, 10);
                arrays = Resized(arrays, hidden, random);
                what = $"hidden layer resized to {hidden} (a valid file)";
                break;
        }

        return new CorruptFile(Encode(version, kind, arrays), $"model file: {what}, checksum valid");
    }

    private static Entry Reshape(Entry entry, Random random)
    {
        int[] shape = entry.Shape;
        return random.Next(5) switch
        {
            0 => entry with { Shape = [.. shape.Reverse()] },
            1 => entry with { Shape = [], Data = entry.Data[..1] },
            2 => entry with { Shape = [0, .. shape[1..]], Data = [] },
            3 => entry with { Shape = [1, .. shape] },
            _ => entry with { Shape = [entry.Data.Length] },
        };
    }

    // w1 (inputs, h), b1 (h), w2 (h, classes), b2 (classes): a consistent net of another size.
    private static List<Entry> Resized(List<Entry> arrays, int hidden, Random random)
    {
        int inputs = arrays[0].Shape[0], classes = arrays[2].Shape[1];
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble())];
        return
        [
            new([.. "w1"u8], [inputs, hidden], Values(inputs * hidden)),
            new([.. "b1"u8], [hidden], Values(hidden)),
            new([.. "w2"u8], [hidden, classes], Values(hidden * classes)),
            arrays[3],
        ];
    }

    private static byte[] Encode(uint version, byte[] kind, List<Entry> arrays)
    {
        using var body = new MemoryStream();
        void Int(int value)
        {
            Span<byte> word = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(word, value);
            body.Write(word);
        }

        body.Write("GDMODEL\0"u8);
        Int((int)version);
        Int(kind.Length);
        body.Write(kind);
        Int(arrays.Count);
        foreach (var array in arrays)
        {
            Int(array.Name.Length);
            body.Write(array.Name);
            Int(array.Shape.Length);
            foreach (int dim in array.Shape)
                Int(dim);
            body.Write(MemoryMarshal.AsBytes(array.Data.AsSpan()));
        }

        body.Write(SHA256.HashData(body.ToArray()));
        return body.ToArray();
    }

    private static HeaderField Int32(string name, byte[] bytes, int offset) =>
        new(name, offset, 4, BigEndian: false, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)));

    private static int StringField(string name, byte[] bytes, int offset, List<HeaderField> fields)
    {
        var length = Int32($"length of the {name}", bytes, offset);
        fields.Add(length);
        return offset + 4 + length.Value;
    }
}
