using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GradientDescent.Tests;

/// <summary>
/// Safetensors files built byte by byte from the format's description, sharing no code with the
/// library: an 8-byte little-endian header length, the header text as UTF-8, then the data buffer.
/// </summary>
public static class HandWrittenSafetensors
{
    /// <summary>A tensor for <see cref="Write"/>: ASCII name, shape and float32 values.</summary>
    public sealed record Entry(string Name, int[] Shape, float[] Values);

    /// <summary>The file for <paramref name="header"/> exactly as given (no padding added) and <paramref name="buffer"/>.</summary>
    public static byte[] Build(string header, params byte[] buffer) => Build(Encoding.UTF8.GetBytes(header), buffer);

    /// <summary>The file for raw header bytes, which need not be UTF-8, and <paramref name="buffer"/>.</summary>
    public static byte[] Build(byte[] header, byte[] buffer)
    {
        var bytes = new byte[8 + header.Length + buffer.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        buffer.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// <summary>The header padded with spaces to a multiple of 8 bytes, as the reference writer pads it.</summary>
    public static string Padded(string json) => json + new string(' ', (8 - (Encoding.UTF8.GetByteCount(json) % 8)) % 8);

    /// <summary>Float32 values as little-endian bytes.</summary>
    public static byte[] F32(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    /// <summary>
    /// A minimal writer following the reference's rules: tensors sorted by name, packed from offset 0,
    /// compact JSON with <c>__metadata__</c> first, spaces to a multiple of 8. Names, keys and values must
    /// be plain ASCII without quotes or backslashes, so no escaping is needed.
    /// </summary>
    public static byte[] Write(IEnumerable<Entry> tensors, IEnumerable<(string Key, string Value)>? metadata = null)
    {
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var parts = new List<string>();
        var entries = metadata?.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"\"{m.Key}\":\"{m.Value}\"").ToList();
        if (entries is { Count: > 0 })
            parts.Add($"\"__metadata__\":{{{string.Join(",", entries)}}}");
        long offset = 0;
        var buffer = new List<byte>();
        foreach (var t in sorted)
        {
            long end = offset + (4 * t.Values.Length);
            string shape = string.Join(",", t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            parts.Add($"\"{t.Name}\":{{\"dtype\":\"F32\",\"shape\":[{shape}],\"data_offsets\":[{offset},{end}]}}");
            buffer.AddRange(F32(t.Values));
            offset = end;
        }

        return Build(Padded("{" + string.Join(",", parts) + "}"), [.. buffer]);
    }
}
