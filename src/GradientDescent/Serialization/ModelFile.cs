using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace GradientDescent;

/// <summary>
/// Saves and loads named float32 arrays (a trained model's parameters) in a versioned, checksummed binary file.
/// </summary>
/// <remarks>
/// Layout, all integers little-endian: the magic "GDMODEL\0" (8 bytes); uint32 format version (1);
/// the kind string; int32 array count; per array its name string, int32 rank, rank int32 dimensions
/// and product(dimensions) float32 values; finally the SHA-256 (32 bytes) of everything before it.
/// A string is an int32 byte count followed by that many UTF-8 bytes.
/// Saving is atomic: the file is written to a temporary file in the same folder, flushed to disk and
/// renamed over the target, so a crash or error leaves either the old file or the new one, never a mix.
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this build writes and the newest it reads.</summary>
    /// <remarks>A property, not a const, so callers compiled against this build never bake in a stale value.</remarks>
    public static int CurrentVersion => 1;

    internal const int ChecksumLength = 32;

    /// <summary>Called with the temporary file's path after it is flushed and right before the rename; tests throw here to simulate a crash.</summary>
    /// <remarks>The one hook of <see cref="AtomicFile"/>, shared by every writer of the library.</remarks>
    internal static Action<string>? BeforeCommitForTesting
    {
        get => AtomicFile.BeforeCommitForTesting;
        set => AtomicFile.BeforeCommitForTesting = value;
    }

    internal static ReadOnlySpan<byte> Magic => "GDMODEL\0"u8;

    /// <summary>Writes <paramref name="arrays"/> to <paramref name="path"/>, replacing any existing file atomically.</summary>
    /// <param name="path">The target file; its folder must exist.</param>
    /// <param name="arrays">The arrays, with unique names; saved in this order.</param>
    /// <param name="kind">What the arrays describe, for example "TwoLayerNet"; checked by the loader's caller.</param>
    /// <exception cref="ArgumentNullException"><paramref name="arrays"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> or <paramref name="kind"/> is null or empty, two arrays share a name, or an
    /// array's shape no longer matches its data (the arrays are mutable, so this is checked again here).
    /// </exception>
    /// <exception cref="IOException">Writing, flushing or renaming failed; the previous file, if any, is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the existing file is not writable.</exception>
    public static void Save(string path, IReadOnlyList<NamedArray> arrays, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arrays);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < arrays.Count; i++)
        {
            var array = arrays[i] ?? throw new ArgumentNullException(nameof(arrays), $"arrays[{i}] is null.");
            if (!names.Add(array.Name))
                throw new ArgumentException($"Two arrays are named '{array.Name}'; names must be unique.", nameof(arrays));
            NamedArray.CheckConsistent(array.Name, array.Shape, array.Data, nameof(arrays));
        }

        AtomicFile.Write(path, file => Write(file, arrays, kind));
    }

    /// <summary>Reads a file written by <see cref="Save"/>, checking its structure and checksum.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The kind, the format version and the arrays in the order they were saved.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable.</exception>
    /// <exception cref="InvalidDataFormatException">
    /// The file is not a valid model file: a wrong magic, a format version newer (or older) than this build
    /// reads, a negative or impossible count, rank, dimension or length (anything the file is too short
    /// to hold), invalid UTF-8, an empty or duplicate name, a truncated file, trailing bytes or a checksum mismatch.
    /// The message names the file, the offset and the values found.
    /// </exception>
    public static ModelFileContents Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = InputFile.OpenRead(path);
        using var reader = new ModelFileReader(file, path);
        return reader.ReadAll();
    }

    private static void Write(FileStream file, IReadOnlyList<NamedArray> arrays, string kind)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> word = stackalloc byte[4];

        void Put(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            file.Write(bytes);
        }

        void PutInt32(Span<byte> buffer, int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
            Put(buffer);
        }

        void PutString(Span<byte> buffer, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            PutInt32(buffer, bytes.Length);
            Put(bytes);
        }

        Put(Magic);
        PutInt32(word, CurrentVersion);
        PutString(word, kind);
        PutInt32(word, arrays.Count);
        foreach (var array in arrays)
        {
            PutString(word, array.Name);
            PutInt32(word, array.Shape.Length);
            foreach (int dim in array.Shape)
                PutInt32(word, dim);
            if (BitConverter.IsLittleEndian)
            {
                Put(MemoryMarshal.AsBytes(array.Data.AsSpan()));
            }
            else
            {
                var swapped = new int[array.Data.Length];
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(array.Data.AsSpan()), swapped);
                Put(MemoryMarshal.AsBytes(swapped.AsSpan()));
            }
        }

        file.Write(hash.GetHashAndReset());
    }
}
