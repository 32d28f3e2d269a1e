using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace GradientDescent;

/// <summary>
/// Parses a model file front to back, hashing what it reads and bounding every length by the bytes
/// left before the checksum, so a corrupt header can neither allocate nor read beyond the file.
/// </summary>
internal sealed class ModelFileReader : IDisposable
{
    // Each array costs at least a name length and a rank: 8 bytes.
    private const int SmallestArray = 8;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly string _path;
    private readonly long _length;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    internal ModelFileReader(Stream stream, string path)
    {
        _stream = stream;
        _path = path;
        _length = stream.Length;
    }

    private long Offset => _stream.Position;

    // Bytes left for the body; negative once the reader has run into the checksum's place.
    private long BodyLeft => _length - ModelFile.ChecksumLength - Offset;

    public void Dispose() => _hash.Dispose();

    internal ModelFileContents ReadAll()
    {
        Span<byte> magic = stackalloc byte[8];
        Read(magic, "the magic number");
        if (!magic.SequenceEqual(ModelFile.Magic))
        {
            throw Fail(0, $"expected magic {Convert.ToHexString(ModelFile.Magic)} (\"GDMODEL\\0\") but found "
                + $"{Convert.ToHexString(magic)}; this is not a GradientDescent model file.");
        }

        long at = Offset;
        uint version = ReadUInt32("the format version");
        if (version > ModelFile.CurrentVersion)
            throw Fail(at, $"format version {version} was written by a newer version of GradientDescent; this build reads version {ModelFile.CurrentVersion}.");
        if (version < 1)
            throw Fail(at, $"format version {version} is not valid; versions start at 1.");

        string kind = ReadString("the model kind");
        at = Offset;
        int count = ReadInt32("the array count");
        if (count < 0 || count > BodyLeft / SmallestArray)
            throw Fail(at, $"array count {count} is impossible: each array needs at least {SmallestArray} bytes and {Math.Max(BodyLeft, 0)} remain.");

        var arrays = new List<NamedArray>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            at = Offset;
            var array = ReadArray(i);
            if (!names.Add(array.Name))
                throw Fail(at, $"array {i} repeats the name '{array.Name}'.");
            arrays.Add(array);
        }

        ReadChecksum();
        return new ModelFileContents(_path, kind, (int)version, arrays.AsReadOnly());
    }

    private NamedArray ReadArray(int index)
    {
        long at = Offset;
        string name = ReadString($"the name of array {index}");

        // NamedArray rejects an empty name with an ArgumentException; a file must get the file's exception.
        if (name.Length == 0)
            throw Fail(at, $"array {index} has an empty name (length 0); every array needs a non-empty name.");

        at = Offset;
        int rank = ReadInt32($"the rank of '{name}'");
        if (rank < 0 || rank > BodyLeft / 4)
            throw Fail(at, $"array '{name}' has rank {rank}, impossible with {Math.Max(BodyLeft, 0)} bytes left.");

        var shape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            at = Offset;
            shape[d] = ReadInt32($"dimension {d} of '{name}'");
            if (shape[d] < 0)
                throw Fail(at, $"dimension {d} of array '{name}' is {shape[d]}.");
        }

        at = Offset;
        long count = NamedArray.ElementCount(shape);
        if (count > Array.MaxLength || 4 * count > BodyLeft)
        {
            throw Fail(at, $"array '{name}' with shape [{string.Join(", ", shape)}] needs {4 * count} bytes "
                + $"but only {Math.Max(BodyLeft, 0)} remain before the {ModelFile.ChecksumLength}-byte checksum; the file is truncated or corrupt.");
        }

        var data = new float[count];
        Read(MemoryMarshal.AsBytes(data.AsSpan()), $"the data of '{name}'");
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<float, int>(data.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }

        return new NamedArray(name, shape, data);
    }

    private void ReadChecksum()
    {
        long left = _length - Offset;
        if (left > ModelFile.ChecksumLength)
            throw Fail(Offset, $"{left - ModelFile.ChecksumLength} trailing bytes between the last array and the {ModelFile.ChecksumLength}-byte checksum.");

        var expected = _hash.GetHashAndReset();
        Span<byte> stored = stackalloc byte[ModelFile.ChecksumLength];
        long at = Offset;
        int got = _stream.ReadAtLeast(stored, stored.Length, throwOnEndOfStream: false);
        if (got < stored.Length)
            throw Fail(at, $"truncated: the file ends {got} bytes into the {ModelFile.ChecksumLength}-byte checksum.");
        if (!stored.SequenceEqual(expected))
        {
            throw Fail(at, $"checksum mismatch: stored SHA-256 {Convert.ToHexString(stored)} but the contents hash to "
                + $"{Convert.ToHexString(expected)}; the file is corrupt.");
        }
    }

    private string ReadString(string what)
    {
        long at = Offset;
        int length = ReadInt32($"the length of {what}");
        if (length < 0 || length > BodyLeft)
            throw Fail(at, $"{what} claims {length} bytes but {Math.Max(BodyLeft, 0)} remain.");

        var bytes = new byte[length];
        Read(bytes, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataFormatException(_path, $"at offset {at + 4}: {what} is not valid UTF-8.", e);
        }
    }

    private int ReadInt32(string what) => (int)ReadUInt32(what);

    private uint ReadUInt32(string what)
    {
        Span<byte> word = stackalloc byte[4];
        Read(word, what);
        return BinaryPrimitives.ReadUInt32LittleEndian(word);
    }

    private void Read(Span<byte> into, string what)
    {
        long at = Offset;
        int got = _stream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
        if (got < into.Length)
            throw Fail(at, $"truncated: the file ends {got} bytes into {what} ({into.Length} bytes).");
        _hash.AppendData(into);
    }

    private InvalidDataFormatException Fail(long offset, string problem) => new(_path, $"at offset {offset}: {problem}");
}
