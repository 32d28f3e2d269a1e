using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace GradientDescent;

/// <summary>
/// The part of the protobuf wire format an ONNX model needs: varint and length-delimited fields.
/// A nested message is written into its own writer first, because its length precedes it.
/// </summary>
/// <remarks>
/// Wire format: each field is a key <c>(field number &lt;&lt; 3) | wire type</c> as a varint, then the value:
/// type 0 a varint (7 bits a byte, low first, high bit set on all but the last; a negative int64 takes
/// ten bytes), type 2 a varint length and that many bytes (strings in UTF-8, bytes, nested messages).
/// </remarks>
internal sealed class ProtobufWriter
{
    private const int VarintType = 0;
    private const int LengthDelimitedType = 2;

    private readonly ArrayBufferWriter<byte> _bytes = new();

    /// <summary>How many bytes have been written.</summary>
    public long Length => _bytes.WrittenCount;

    /// <summary>An int64, int32 or enum field.</summary>
    public ProtobufWriter Int64(int field, long value)
    {
        Key(field, VarintType);
        Varint(unchecked((ulong)value));
        return this;
    }

    /// <summary>A string field, in UTF-8.</summary>
    public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, LengthDelimitedType);
        Varint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    /// <summary>A bytes field holding <paramref name="values"/> as little-endian IEEE 754 float32 (ONNX's raw_data).</summary>
    public ProtobufWriter Floats(int field, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
            return Bytes(field, MemoryMarshal.AsBytes(values));
        var swapped = new int[values.Length];
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values), swapped);
        return Bytes(field, MemoryMarshal.AsBytes(swapped.AsSpan()));
    }

    /// <summary>A nested message field: <paramref name="build"/> fills a fresh writer whose bytes become the value.</summary>
    public ProtobufWriter Message(int field, Action<ProtobufWriter> build)
    {
        var message = new ProtobufWriter();
        build(message);
        return Bytes(field, message._bytes.WrittenSpan);
    }

    /// <summary>Copies what was written to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream) => stream.Write(_bytes.WrittenSpan);

    /// <summary>A copy of what was written.</summary>
    public byte[] ToArray() => _bytes.WrittenSpan.ToArray();

    private void Key(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            Byte((byte)(value | 0x80));
            value >>= 7;
        }

        Byte((byte)value);
    }

    private void Byte(byte value)
    {
        _bytes.GetSpan(1)[0] = value;
        _bytes.Advance(1);
    }
}
