using System.Buffers.Binary;

namespace GradientDescent.Tests;

/// <summary>
/// A field of a file header: where it is, how it is encoded and the value the valid file holds there.
/// For a dimension, <paramref name="Cofactor"/> is the product of the other dimensions it is multiplied
/// with, so the fuzzer can aim at the largest value whose product still fits an int and just above it.
/// </summary>
internal sealed record HeaderField(string Name, int Offset, int Size, bool BigEndian, int Value, long Cofactor = 1)
{
    public int End => Offset + Size;
}

/// <summary>A valid file to corrupt and the header fields worth aiming at.</summary>
internal sealed record FuzzTemplate(string Name, byte[] Bytes, IReadOnlyList<HeaderField> Fields);

/// <summary>A corrupted copy of a file and what was done to it, for failure messages.</summary>
internal sealed record CorruptFile(byte[] Bytes, string Description);

/// <summary>
/// Seeded byte-level corruptions: truncation, flipped bytes, a header field set to a bad value, and
/// appended, duplicated or deleted ranges. The same <see cref="Random"/> state gives the same bytes.
/// </summary>
internal static class Corruptions
{
    public static CorruptFile Apply(FuzzTemplate template, Random random)
    {
        var bytes = template.Bytes;
        var fields = template.Fields;
        var corrupt = random.Next(7) switch
        {
            0 => Truncate(bytes, fields, random),
            1 => FlipBytes(bytes, random),

            // Header fields get twice the share: they decide what a reader allocates and how far it reads.
            2 or 3 => OverwriteField(bytes, fields, random),
            4 => Append(bytes, random),
            5 => DuplicateRange(bytes, random),
            _ => DeleteRange(bytes, random),
        };
        return corrupt with { Description = $"{template.Name}: {corrupt.Description}" };
    }

    private static CorruptFile Truncate(byte[] valid, IReadOnlyList<HeaderField> fields, Random random)
    {
        // Half the cuts land inside or right after a header field: each is a separate "truncated while reading X" path.
        int length;
        if (random.Next(2) == 0)
        {
            var field = fields[random.Next(fields.Count)];
            length = Math.Min(valid.Length - 1, field.Offset + random.Next(field.Size + 1));
        }
        else
        {
            length = random.Next(valid.Length);
        }

        return new(valid[..length], $"truncated from {valid.Length} to {length} bytes");
    }

    private static CorruptFile FlipBytes(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        int count = random.Next(1, 9);
        var flips = new string[count];
        for (int i = 0; i < count; i++)
        {
            int at = random.Next(bytes.Length);
            byte mask = (byte)random.Next(1, 256);
            bytes[at] ^= mask;
            flips[i] = $"{at}^0x{mask:X2}";
        }

        return new(bytes, $"flipped {count} bytes (offset^mask: {string.Join(", ", flips)})");
    }

    private static CorruptFile OverwriteField(byte[] valid, IReadOnlyList<HeaderField> fields, Random random)
    {
        var field = fields[random.Next(fields.Count)];
        int value = field.Size == 1 ? BadByte(field, random) : BadInt(field, random);
        var bytes = (byte[])valid.Clone();
        var span = bytes.AsSpan(field.Offset, field.Size);
        if (field.Size == 1)
            span[0] = (byte)value;
        else if (field.BigEndian)
            BinaryPrimitives.WriteInt32BigEndian(span, value);
        else
            BinaryPrimitives.WriteInt32LittleEndian(span, value);
        return new(bytes, $"{field.Name} at offset {field.Offset} set from {Show(field.Value)} to {Show(value)}");
    }

    private static int BadInt(HeaderField field, Random random)
    {
        int fits = (int)(int.MaxValue / Math.Max(1, field.Cofactor));
        int[] candidates =
        [
            0, 1, -1, int.MaxValue, int.MinValue, fits, unchecked(fits + 1),
            unchecked(field.Value + 1), unchecked(field.Value - 1), unchecked(field.Value * 2),
            random.Next(int.MinValue, int.MaxValue),
        ];
        return candidates[random.Next(candidates.Length)];
    }

    private static int BadByte(HeaderField field, Random random)
    {
        int[] candidates = [0, 1, 0x7F, 0x80, 0xFF, (field.Value + 1) & 0xFF, (field.Value - 1) & 0xFF, random.Next(256)];
        return candidates[random.Next(candidates.Length)];
    }

    private static CorruptFile Append(byte[] valid, Random random)
    {
        var extra = new byte[random.Next(2) == 0 ? random.Next(1, 9) : random.Next(1, 4097)];
        random.NextBytes(extra);
        return new([.. valid, .. extra], $"{extra.Length} random bytes appended");
    }

    private static CorruptFile DuplicateRange(byte[] valid, Random random)
    {
        var (start, length) = RandomRange(valid.Length, random);
        byte[] bytes = [.. valid.AsSpan(0, start + length), .. valid.AsSpan(start)];
        return new(bytes, $"bytes [{start}, {start + length}) duplicated");
    }

    private static CorruptFile DeleteRange(byte[] valid, Random random)
    {
        var (start, length) = RandomRange(valid.Length, random);
        byte[] bytes = [.. valid.AsSpan(0, start), .. valid.AsSpan(start + length)];
        return new(bytes, $"bytes [{start}, {start + length}) deleted");
    }

    private static (int Start, int Length) RandomRange(int size, Random random)
    {
        // Short ranges shift fields by a few bytes, which misaligns them without making them absurd.
        int start = random.Next(size);
        int longest = size - start;
        int length = random.Next(2) == 0 ? random.Next(1, Math.Min(8, longest) + 1) : random.Next(1, longest + 1);
        return (start, length);
    }

    private static string Show(int value) => $"{value} (0x{value:X8})";
}
