using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace GradientDescent;

/// <summary>
/// Reads a safetensors file: the header is bounded by the file before it is read, parsed and checked
/// against every rule of the format, and only then are the tensors allocated, each no larger than the
/// bytes the file holds for it.
/// </summary>
internal sealed class SafetensorsReader(FileStream file, string path)
{
    internal const int LengthPrefix = 8;

    private readonly long _length = file.Length;

    public SafetensorsContents ReadAll()
    {
        if (_length < LengthPrefix)
            throw Fail($"the file is {_length} bytes; a safetensors file starts with an 8-byte header length.");

        Span<byte> prefix = stackalloc byte[LengthPrefix];
        file.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > Safetensors.MaxHeaderLength)
            throw Fail($"the header length {headerLength} is above the format's limit of {Safetensors.MaxHeaderLength} bytes.");
        if (headerLength > (ulong)(_length - LengthPrefix))
            throw Fail($"the header length {headerLength} is more than the {_length - LengthPrefix} bytes that follow it; the file is truncated or not safetensors.");

        var header = new byte[headerLength];
        file.ReadExactly(header);
        long bufferLength = _length - LengthPrefix - header.Length;
        var (entries, metadata) = new SafetensorsHeaderParser(header, bufferLength, path).Parse();
        CheckLayout(entries, bufferLength);
        return new SafetensorsContents(path, ReadData(entries), metadata);
    }

    // The reference implementation's rule: sorted by offsets, the tensors tile the buffer from 0 to its end.
    private void CheckLayout(List<SafetensorsEntry> entries, long bufferLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long covered = 0;
        SafetensorsEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin > covered)
            {
                throw Fail($"bytes [{covered}, {entry.Begin}) of the data buffer belong to no tensor: a hole before '{entry.Name}' "
                    + $"(data_offsets [{entry.Begin}, {entry.End}]); tensors must cover the buffer without gaps.");
            }

            if (entry.Begin < covered)
            {
                throw Fail($"tensor '{entry.Name}' (data_offsets [{entry.Begin}, {entry.End}]) overlaps '{previous!.Name}' "
                    + $"(data_offsets [{previous.Begin}, {previous.End}]).");
            }

            covered = entry.End;
            previous = entry;
        }

        if (covered != bufferLength)
        {
            throw Fail($"the tensors end at byte {covered} of the {bufferLength}-byte data buffer: {bufferLength - covered} trailing bytes "
                + "belong to no tensor.");
        }
    }

    private ReadOnlyCollection<NamedArray> ReadData(List<SafetensorsEntry> entries)
    {
        var arrays = new List<NamedArray>(entries.Count);
        byte[]? chunk = null;
        foreach (var entry in entries)
        {
            int size = SafetensorsDType.ReadableSize(entry.DType);
            var data = new float[(entry.End - entry.Begin) / size];
            if (entry.DType == SafetensorsDType.Float32)
            {
                file.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
                if (!BitConverter.IsLittleEndian)
                {
                    var words = MemoryMarshal.Cast<float, int>(data.AsSpan());
                    BinaryPrimitives.ReverseEndianness(words, words);
                }
            }
            else
            {
                // Other dtypes convert through a small buffer, so reading costs no more than the floats returned.
                chunk ??= new byte[1 << 16];
                int perChunk = chunk.Length / size;
                for (int at = 0; at < data.Length; at += perChunk)
                {
                    int count = Math.Min(perChunk, data.Length - at);
                    var bytes = chunk.AsSpan(0, count * size);
                    file.ReadExactly(bytes);
                    SafetensorsDType.Convert(entry.DType, bytes, data.AsSpan(at, count));
                }
            }

            arrays.Add(new NamedArray(entry.Name, entry.Shape, data));
        }

        return arrays.AsReadOnly();
    }

    private InvalidDataFormatException Fail(string problem) => new(path, problem);
}
