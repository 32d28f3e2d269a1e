using System.Buffers.Binary;
using System.Diagnostics;

namespace GradientDescent;

/// <summary>
/// The element types of the safetensors format, by the names its headers use, and the conversion of
/// the floating-point ones this library reads to float32.
/// </summary>
internal static class SafetensorsDType
{
    /// <summary>The only dtype written: every array of the library is float32.</summary>
    public const string Float32 = "F32";

    // Bits per element of every dtype the reference implementation defines; a name outside this table is
    // not safetensors at all, one inside it but not readable is rejected by name.
    private static readonly Dictionary<string, int> s_bits = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 8, ["F4"] = 4, ["F6_E2M3"] = 6, ["F6_E3M2"] = 6, ["U8"] = 8, ["I8"] = 8,
        ["F8_E5M2"] = 8, ["F8_E4M3"] = 8, ["F8_E8M0"] = 8, ["F8_E4M3FNUZ"] = 8, ["F8_E5M2FNUZ"] = 8,
        ["I16"] = 16, ["U16"] = 16, ["F16"] = 16, ["BF16"] = 16, ["I32"] = 32, ["U32"] = 32,
        ["F32"] = 32, ["C64"] = 64, ["F64"] = 64, ["I64"] = 64, ["U64"] = 64,
    };

    /// <summary>The dtypes <see cref="Safetensors.Load"/> converts to float32, for messages.</summary>
    public static string Readable => "F32, F64, F16 and BF16";

    public static bool IsKnown(string dtype) => s_bits.ContainsKey(dtype);

    /// <summary>Bytes per element of a dtype this library reads, or 0 for any other.</summary>
    public static int ReadableSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F64" => 8,
        "F16" or "BF16" => 2,
        _ => 0,
    };

    /// <summary>Converts little-endian elements of <paramref name="dtype"/> to float32; <paramref name="into"/> has one slot per element.</summary>
    /// <remarks>
    /// F16 and BF16 widen exactly; F64 rounds to nearest, and values beyond float32's range become ±∞,
    /// as a cast in PyTorch or NumPy does.
    /// </remarks>
    public static void Convert(string dtype, ReadOnlySpan<byte> bytes, Span<float> into)
    {
        for (int i = 0; i < into.Length; i++)
        {
            into[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]),
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16),
                _ => throw new UnreachableException($"dtype {dtype} is not readable; the reader checks this first."),
            };
        }
    }
}
