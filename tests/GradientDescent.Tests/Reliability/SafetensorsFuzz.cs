using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GradientDescent.Tests;

/// <summary>
/// The safetensors side of the fuzz: where the binary fields of a saved file are, structural mutations
/// of its JSON header (numbers, strings, entries, fields, metadata, padding, the header length) written
/// back with a header length that matches unless that is the mutation, and the loaders with their checks.
/// </summary>
/// <remarks>
/// The valid file is a <see cref="TwoLayerNet"/> saved in <see cref="SafetensorsLayout.PyTorchSequential"/>
/// layout: tensors <c>0.bias</c>, <c>0.weight</c> (hidden, inputs), <c>2.bias</c>, <c>2.weight</c> (classes,
/// hidden), F32, sorted by name in header and buffer.
/// </remarks>
internal static class SafetensorsFuzz
{
    // A private-use character whose UTF-8 (EE 80 80) is patched to FF 80 80 after encoding: invalid UTF-8 in a name.
    private const char InvalidUtf8Marker = '\uE000';

    /// <summary>
    /// A generator seeded from <paramref name="random"/>'s first draw passed through a 64-bit mix
    /// (SplitMix64's finaliser). <c>new Random(seed)</c> for consecutive seeds gives correlated first draws,
    /// so the small choices made first (which mutation, which candidate) repeat in a short cycle and some
    /// are never made; mixing spreads the seeds over all of them. Still a function of the seed alone.
    /// </summary>
    public static Random Decorrelated(Random random)
    {
        ulong z = (ulong)random.Next() + 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return new Random((int)(z ^ (z >> 31)));
    }

    /// <summary>The 8-byte header length (as two words) and the first word of each tensor's data.</summary>
    public static FuzzTemplate Template(byte[] bytes)
    {
        var entries = Parse(bytes);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var fields = new List<HeaderField>
        {
            new("header length (low word)", 0, 4, BigEndian: false, n),
            new("header length (high word)", 4, 4, BigEndian: false, 0),
        };
        long begin = 0;
        foreach (var entry in entries.Where(e => e.Data.Length >= 4))
        {
            fields.Add(new($"first word of '{entry.Name}'", 8 + n + (int)begin, 4, BigEndian: false, BinaryPrimitives.ReadInt32LittleEndian(entry.Data)));
            begin += entry.Data.Length;
        }

        return new FuzzTemplate("safetensors", bytes, fields);
    }

    /// <summary>One structural mutation of the valid file <paramref name="valid"/>.</summary>
    public static CorruptFile Mutate(byte[] valid, Random random)
    {
        var entries = Parse(valid);
        var file = new Layout(entries);
        var target = entries[random.Next(entries.Count)];
        string name = target.Name;
        string what;
        switch (random.Next(12))
        {
            // Numbers and strings get twice the share: they are what the parser must check most.
            case 0 or 1:
                file.Pack();
                bool dim = random.Next(2) == 0 && target.Shape.Count > 0;
                int at = random.Next(dim ? target.Shape.Count : 2);
                target.Offsets = [Show(target.Begin), Show(target.End)];
                var texts = dim ? target.Shape : target.Offsets;
                string old = texts[at];
                texts[at] = OtherNumber(old, random);
                what = $"{(dim ? $"dimension {at}" : $"data_offsets[{at}]")} of '{name}' set from {old} to {texts[at]}";
                break;
            case 2 or 3:
                bool ofName = random.Next(2) == 0;
                string[] names = ["\"\"", "\"w1\"", "\"4.weight\"", "\"__metadata__\"", "\"0.weight \"", "\"\\ud800\"", $"\"{InvalidUtf8Marker}\"", $"\"{new string('x', 300)}\"", $"\"{entries[(entries.IndexOf(target) + 1) % entries.Count].Name}\""];
                string[] dtypes = ["\"F16\"", "\"F64\"", "\"BF16\"", "\"I32\"", "\"U8\"", "\"F4\"", "\"F33\"", "\"f32\"", "\"\"", "32", "null"];
                string replacement = ofName ? names[random.Next(names.Length)] : dtypes[random.Next(dtypes.Length)];
                if (ofName)
                    target.Key = replacement;
                else
                    target.DType = replacement;
                what = $"{(ofName ? "name" : "dtype")} of '{name}' set to {replacement.Replace(InvalidUtf8Marker.ToString(), "<FF 80 80>", StringComparison.Ordinal)}";
                break;
            case 4:
                bool keepData = random.Next(2) == 0;
                file.Header.Remove(target);
                if (!keepData)
                    file.Data.Remove(target);
                what = keepData ? $"'{name}' dropped from the header, its data left in the buffer" : $"'{name}' dropped with its data (a valid file)";
                break;
            case 5:
                file.Header.Insert(random.Next(file.Header.Count + 1), target);
                what = $"'{name}' listed twice";
                break;
            case 6:
                string[] metadata = ["{}", "{\"format\":\"pt\"}", "{\"a\":1}", "\"pt\"", "{\"a\":{}}", "[]", "{\"a\":\"1\",\"a\":\"2\"}", "null"];
                file.Metadata = metadata[random.Next(metadata.Length)];
                file.MetadataLast = random.Next(2) == 0;
                what = $"__metadata__ {file.Metadata} added {(file.MetadataLast ? "last" : "first")}";
                break;
            case 7:
                string[] extras = [",\"extra\":0", ",\"dtype\":\"F32\"", ",\"shape\":[1]", ",\"data_offsets\":[0,0]", ",\"Shape\":[]"];
                target.Extra = extras[random.Next(extras.Length)];
                what = $"field {target.Extra[1..]} added to '{name}'";
                break;
            case 8:
                string[] paddings = ["", "\0\0\0\0\0\0\0", "\t\n\r ", new(' ', 1000), "x", "}"];
                file.Padding = paddings[random.Next(paddings.Length)];
                file.LeadingSpace = random.Next(4) == 0;
                what = $"header padded with {JsonSerializer.Serialize(file.Padding[..Math.Min(8, file.Padding.Length)])}{(file.LeadingSpace ? ", a leading space" : "")}";
                break;
            case 9:
                long[] deltas = [-8, -1, 1, 7, 8, 1 << 20, -(1L << 32)];
                file.LengthDelta = deltas[random.Next(deltas.Length)];
                what = $"header length off by {file.LengthDelta}";
                break;
            case 10:
                file.Data = [.. file.Data.OrderBy(_ => random.Next())];
                what = $"data reordered to {string.Join(", ", file.Data.Select(e => e.Name))} (a valid file)";
                break;
            default:
                string[] wider = ["F64", "F16", "BF16"];
                string dtype = wider[random.Next(wider.Length)];
                target.Convert(dtype);
                what = $"'{name}' stored as {dtype} (a valid file)";
                break;
        }

        return new CorruptFile(file.Encode(), $"safetensors: {what}");
    }

    /// <summary>The tensors of a valid file, in header order, with their data.</summary>
    private static List<Entry> Parse(byte[] bytes)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, n));
        var entries = new List<Entry>();
        foreach (var property in header.RootElement.EnumerateObject())
        {
            var offsets = property.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            entries.Add(new Entry(property.Name)
            {
                Shape = [.. property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetRawText())],
                Data = bytes[(8 + n + begin)..(8 + n + end)],
            });
        }

        return entries;
    }

    private static string OtherNumber(string text, Random random)
    {
        long value = long.Parse(text, CultureInfo.InvariantCulture);
        string[] candidates =
        [
            "0", "1", "-1", Show(value + 1), Show(value - 1), Show(value * 2), "2147483647", "2147483648", "4294967296",
            "9223372036854775807", "18446744073709551615", "18446744073709551616", "1.5", $"{value}.0", "1e1", "-0", "\"1\"", "null", "[]", "true",
        ];
        return candidates[random.Next(candidates.Length)];
    }

    private static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One tensor as it will be written: its key and fields as JSON text, so any of them can be made wrong.</summary>
    private sealed class Entry(string name)
    {
        public string Name { get; } = name;

        public string Key { get; set; } = JsonSerializer.Serialize(name);

        public string DType { get; set; } = "\"F32\"";

        public List<string> Shape { get; init; } = [];

        public byte[] Data { get; set; } = [];

        public List<string>? Offsets { get; set; }

        public string Extra { get; set; } = "";

        public long Begin { get; set; }

        public long End { get; set; }

        public string Json() =>
            $"{Key}:{{\"dtype\":{DType},\"shape\":[{string.Join(",", Shape)}],\"data_offsets\":[{(Offsets is null ? $"{Begin},{End}" : string.Join(",", Offsets))}]{Extra}}}";

        // Re-encodes the float32 data: F64 and F16 round to nearest, BF16 truncates, as a cast may.
        public void Convert(string dtype)
        {
            var values = Enumerable.Range(0, Data.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(4 * i)));
            DType = $"\"{dtype}\"";
            Data = dtype switch
            {
                "F64" => [.. values.SelectMany(v => BitConverter.GetBytes((double)v))],
                "F16" => [.. values.SelectMany(v => BitConverter.GetBytes((Half)v))],
                _ => [.. values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)))],
            };
        }
    }

    /// <summary>A whole file: which entries the header lists, in which order the buffer holds their data, and the extras.</summary>
    private sealed class Layout(List<Entry> entries)
    {
        public List<Entry> Header { get; } = [.. entries];

        public List<Entry> Data { get; set; } = [.. entries];

        public string? Metadata { get; set; }

        public bool MetadataLast { get; set; }

        public string? Padding { get; set; }

        public bool LeadingSpace { get; set; }

        public long LengthDelta { get; set; }

        public void Pack()
        {
            long offset = 0;
            foreach (var entry in Data)
            {
                entry.Begin = offset;
                offset = entry.End = offset + entry.Data.Length;
            }
        }

        public byte[] Encode()
        {
            Pack();
            var parts = Header.Select(e => e.Json()).ToList();
            if (Metadata is not null)
                parts.Insert(MetadataLast ? parts.Count : 0, $"\"__metadata__\":{Metadata}");
            string json = (LeadingSpace ? " " : "") + "{" + string.Join(",", parts) + "}";
            var text = Encoding.UTF8.GetBytes(json + (Padding ?? new string(' ', (8 - (Encoding.UTF8.GetByteCount(json) % 8)) % 8)));
            for (int i = 0; i + 2 < text.Length; i++)
            {
                if (text[i] == 0xEE && text[i + 1] == 0x80 && text[i + 2] == 0x80)
                    text[i] = 0xFF;
            }

            var bytes = new List<byte>(new byte[8]);
            BinaryPrimitives.WriteInt64LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), text.Length + LengthDelta);
            bytes.AddRange(text);
            foreach (var entry in Data)
                bytes.AddRange(entry.Data);
            return [.. bytes];
        }
    }
}
