using System.Buffers.Binary;
using NUnit.Framework;
using static GradientDescent.Tests.HandWrittenSafetensors;

namespace GradientDescent.Tests;

/// <summary>
/// Every way a safetensors file can break the format's rules (the reference implementation's checks in
/// <c>safetensors/src/tensor.rs</c>, the README's "MUST"s and the header schema), one file each: each
/// is rejected with <see cref="InvalidDataFormatException"/>, its message starting with the path and
/// naming the offending value.
/// </summary>
[TestFixture]
public sealed class SafetensorsRejectionTests
{
    private const string W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private string _dir = "";
    private string _path = "";

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-safetensors-bad-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "bad.safetensors");
    }

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void TheValidBaseFile_Loads()
    {
        // Every case below departs from this file, or from a file like it, in one rule.
        File.WriteAllBytes(_path, Build("{" + W + "}", new byte[8]));

        Assert.That(Safetensors.Load(_path).Get("w").Data, Is.EqualTo(new[] { 0f, 0f }));
    }

    [TestCaseSource(nameof(Malformed))]
    public void Load_Malformed_ThrowsInvalidDataFormat_NamingTheProblem(byte[] file, string expected)
    {
        File.WriteAllBytes(_path, file);

        var e = Assert.Throws<InvalidDataFormatException>(() => Safetensors.Load(_path));

        Assert.That(e!.FilePath, Is.EqualTo(_path));
        Assert.That(e.Message, Does.StartWith(_path + ": ").And.Contain(expected));
    }

    private static IEnumerable<TestCaseData> Malformed()
    {
        TestCaseData Case(string name, byte[] file, string expected) => new TestCaseData(file, expected).SetName(name);
        TestCaseData Header(string name, string header, int buffer, string expected) => Case(name, Build(header, new byte[buffer]), expected);
        TestCaseData Tensor(string name, string entry, int buffer, string expected) => Header(name, "{\"w\":" + entry + "}", buffer, expected);
        static byte[] Prefix(ulong length, int rest)
        {
            var bytes = new byte[8 + rest];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
            bytes[8 % bytes.Length] = (byte)'{';
            return bytes;
        }

        // The 8-byte header length.
        yield return Case("empty file", [], "the file is 0 bytes");
        yield return Case("7-byte file", [2, 0, 0, 0, 0, 0, 0], "the file is 7 bytes");
        yield return Case("header length beyond the file", Prefix(1000, 2), "header length 1000 is more than the 2 bytes");
        yield return Case("header length above 100 MB", Prefix(100_000_001, 2), "header length 100000001 is above the format's limit of 100000000");
        yield return Case("header length 2^64 - 1", Prefix(ulong.MaxValue, 2), "header length 18446744073709551615 is above");

        // The header text.
        yield return Case("header not UTF-8", Build([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "not valid UTF-8: the first bad byte is at offset 10");
        yield return Header("header empty", "", 0, "but the header is empty");
        yield return Header("header not starting with a brace", " {}", 0, "must begin with '{' (0x7B), a JSON object, but it begins with 0x20");
        yield return Header("header a JSON array, not an object", "[]", 0, "but it begins with 0x5B");
        yield return Header("header a JSON string, not an object", "\"{}\"", 0, "but it begins with 0x22");
        yield return Header("header not JSON", "{w: 1}", 0, "the header is not valid JSON");
        yield return Header("header JSON cut short", "{\"w\":{\"dtype\":\"F32\"", 0, "the header is not valid JSON");
        yield return Header("header with a comment", "{/* c */}", 0, "the header is not valid JSON");
        yield return Header("header with a trailing comma", "{" + W + ",}", 8, "the header is not valid JSON");
        yield return Header("a second JSON value after the object", "{} {}", 0, "the header is not valid JSON");
        yield return Header("header padded with NUL bytes", "{}\0\0\0\0\0\0", 0, "the header is not valid JSON");
        yield return Header("duplicate tensor names", "{" + W + "," + W + "}", 8, "repeats the key 'w'");
        yield return Header("duplicate metadata", "{\"__metadata__\":{},\"__metadata__\":{}}", 0, "repeats the key '__metadata__'");
        yield return Header("a lone surrogate escaped in a name", "{\"\\ud800\":{}}", 0, "a key of the header is not a valid string");
        yield return Header("an empty tensor name", "{\"\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0, "a tensor has an empty name");

        // Metadata.
        yield return Header("metadata not an object", "{\"__metadata__\":\"pt\"}", 0, "'__metadata__' must be an object of strings but is a string");
        yield return Header("metadata value not a string", "{\"__metadata__\":{\"epochs\":15}}", 0, "the '__metadata__' value of 'epochs' is a number; every value must be a string");
        yield return Header("metadata value an object", "{\"__metadata__\":{\"a\":{}}}", 0, "value of 'a' is an object");
        yield return Header("metadata key repeated", "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0, "'__metadata__' repeats the key 'a'");

        // A tensor's fields.
        yield return Tensor("tensor not an object", "[2]", 8, "tensor 'w' must be an object with dtype, shape and data_offsets but is an array");
        yield return Tensor("missing dtype", "{\"shape\":[2],\"data_offsets\":[0,8]}", 8, "tensor 'w' lacks the field 'dtype'");
        yield return Tensor("missing shape", "{\"dtype\":\"F32\",\"data_offsets\":[0,8]}", 8, "tensor 'w' lacks the field 'shape'");
        yield return Tensor("missing data_offsets", "{\"dtype\":\"F32\",\"shape\":[2]}", 8, "tensor 'w' lacks the field 'data_offsets'");
        yield return Tensor("extra field", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"offsets\":[0,8]}", 8, "tensor 'w' has the unknown field 'offsets'");
        yield return Tensor("repeated field", "{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "tensor 'w' repeats the field 'dtype'");
        yield return Tensor("unknown dtype", "{\"dtype\":\"float32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "tensor 'w' has the unknown dtype 'float32'");
        yield return Tensor("dtype not read by this library", "{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "tensor 'w' has dtype I32; this library reads only F32, F64, F16 and BF16");
        yield return Tensor("dtype not a string", "{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}", 8, "the dtype of tensor 'w' is a number");
        yield return Tensor("shape not an array", "{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}", 8, "the shape of tensor 'w' is a number; it must be an array of integers");
        yield return Tensor("negative dimension", "{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}", 8, "dimension 0 of tensor 'w' is -2; it must be a non-negative integer");
        yield return Tensor("fractional dimension", "{\"dtype\":\"F32\",\"shape\":[1,2.5],\"data_offsets\":[0,8]}", 8, "dimension 1 of tensor 'w' is 2.5");
        yield return Tensor("dimension written as a float", "{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}", 8, "dimension 0 of tensor 'w' is 2.0");
        yield return Tensor("dimension in exponent form", "{\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]}", 8, "dimension 0 of tensor 'w' is 2e0");
        yield return Tensor("dimension a string", "{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}", 8, "dimension 0 of tensor 'w' is a string");
        yield return Tensor("dimension above 2^31 - 1", "{\"dtype\":\"F32\",\"shape\":[0,2147483648],\"data_offsets\":[0,0]}", 0, "dimension 1 of tensor 'w' is 2147483648; this library holds dimensions up to 2147483647");
        yield return Tensor("dimension above 2^64", "{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,8]}", 8, "is 18446744073709551616; it must be a non-negative integer");

        // Offsets and sizes.
        yield return Tensor("data_offsets not an array", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":8}", 8, "the data_offsets of tensor 'w' are a number");
        yield return Tensor("one offset", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}", 8, "the data_offsets of tensor 'w' hold 1 numbers");
        yield return Tensor("three offsets", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}", 8, "hold more than two numbers");
        yield return Tensor("negative offset", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}", 8, "data_offsets[0] of tensor 'w' is -8");
        yield return Tensor("offsets reversed", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}", 8, "the data_offsets [8, 0] of tensor 'w' are reversed");
        yield return Tensor("offsets beyond the buffer", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 4, "the data_offsets [0, 8] of tensor 'w' run past the end of the 4-byte data buffer");
        yield return Tensor("size mismatch", "{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}", 8, "tensor 'w' of dtype F32 and shape [3] needs 12 bytes but its data_offsets [0, 8] hold 8");
        yield return Tensor("size of another dtype", "{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "of dtype F64 and shape [2] needs 16 bytes");
        yield return Tensor("shape product overflowing", "{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}", 8, "needs more bytes than the file holds but its data_offsets [0, 8] hold 8");
        yield return Header("tensors overlapping", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "tensor 'b' (data_offsets [4, 12]) overlaps 'a' (data_offsets [0, 8])");
        yield return Header("the same bytes twice", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "overlaps");
        yield return Header("a hole between tensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "bytes [4, 8) of the data buffer belong to no tensor: a hole before 'b'");
        yield return Tensor("a hole before the first tensor", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}", 8, "bytes [0, 4) of the data buffer belong to no tensor");
        yield return Tensor("tensors not covering the buffer", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 8, "the tensors end at byte 4 of the 8-byte data buffer: 4 trailing bytes belong to no tensor");
        yield return Case("trailing data after a valid file", [.. Build("{" + W + "}", new byte[8]), 1, 2, 3], "3 trailing bytes belong to no tensor");
        yield return Header("data but no tensors", "{}", 4, "the tensors end at byte 0 of the 4-byte data buffer");
    }
}
